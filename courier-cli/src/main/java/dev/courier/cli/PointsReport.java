package dev.courier.cli;

import dev.courier.cli.common.Json;
import dev.courier.client.BinnedHistogram;
import dev.courier.client.PointSweep;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;

/** Prints a {@link PointSweep.Result}: one row per bin, one column per record, a total row, then the rate. */
final class PointsReport {
    private PointsReport() {
    }

    static void table(PointSweep.Result result, PrintWriter out) {
        Map<String, BinnedHistogram> h = result.histograms();
        int width = 7;
        for (String id : h.keySet()) {
            width = Math.max(width, id.length() + 1);
        }
        StringBuilder head = new StringBuilder(String.format("%-14s", "bin"));
        for (String id : h.keySet()) {
            head.append(String.format("%" + width + "s", id));
        }
        out.println(head);
        for (int bin = 0; bin < BinnedHistogram.BINS; bin++) {
            StringBuilder row = new StringBuilder(String.format("%-14s", BinnedHistogram.label(bin)));
            for (BinnedHistogram hist : h.values()) {
                row.append(String.format("%" + width + "d", hist.count(bin)));
            }
            out.println(row);
        }
        StringBuilder total = new StringBuilder(String.format("%-14s", "total"));
        for (BinnedHistogram hist : h.values()) {
            total.append(String.format("%" + width + "d", hist.total()));
        }
        out.println(total);
        out.println(String.format(Locale.ROOT, "requests: %d  seconds: %.3f  requests/s: %.0f",
                result.requests(), result.seconds(), result.requestsPerSecond()));
    }

    static void json(PointSweep.Result result, PrintWriter out) {
        out.println(Json.write(g -> {
            g.writeStartObject();
            g.writeNumberField("requests", result.requests());
            g.writeFieldName("seconds");
            g.writeNumber(String.format(Locale.ROOT, "%.6f", result.seconds()));
            g.writeFieldName("requests_per_second");
            g.writeNumber(String.format(Locale.ROOT, "%.1f", result.requestsPerSecond()));
            g.writeObjectFieldStart("records");
            for (Map.Entry<String, BinnedHistogram> e : result.histograms().entrySet()) {
                g.writeObjectFieldStart(e.getKey());
                g.writeNumberField("count", e.getValue().total());
                g.writeFieldName("histogram");
                long[] counts = e.getValue().counts();
                g.writeArray(counts, 0, counts.length);
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeEndObject();
        }));
    }
}
