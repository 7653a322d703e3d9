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
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "{\"requests\": %d, \"seconds\": %.6f, \"requests_per_second\": %.1f, "
                + "\"records\": {", result.requests(), result.seconds(), result.requestsPerSecond()));
        boolean first = true;
        for (Map.Entry<String, BinnedHistogram> e : result.histograms().entrySet()) {
            if (!first) {
                s.append(", ");
            }
            first = false;
            s.append(Json.quote(e.getKey())).append(": {\"count\": ").append(e.getValue().total())
                    .append(", \"histogram\": [");
            long[] counts = e.getValue().counts();
            for (int i = 0; i < counts.length; i++) {
                s.append(i == 0 ? "" : ", ").append(counts[i]);
            }
            s.append("]}");
        }
        s.append("}}");
        out.println(s);
    }
}
