package dev.courier.cli;

import dev.courier.cli.common.Json;
import dev.courier.cli.common.Numbers;
import dev.courier.client.BinEdges;
import dev.courier.client.BinnedHistogram;
import dev.courier.client.PointSweep;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;

/**
 * Prints a {@link PointSweep.Result}: a table of one row per bin, one column per record, a total row, then the rate;
 * or one JSON object with the bin edges ({@code "edges"}, bins + 1 numbers, lowest first) and per record its counts.
 */
final class PointsReport {
    private PointsReport() {
    }

    static void table(PointSweep.Result result, BinEdges edges, PrintWriter out) {
        Map<String, BinnedHistogram> h = result.histograms();
        int width = 7;
        int labelWidth = 14;
        for (int bin = 0; bin < edges.bins(); bin++) {
            labelWidth = Math.max(labelWidth, edges.label(bin).length() + 1);
        }
        String label = "%-" + labelWidth + "s";
        for (String id : h.keySet()) {
            width = Math.max(width, id.length() + 1);
        }
        StringBuilder head = new StringBuilder(String.format(label, "bin"));
        for (String id : h.keySet()) {
            head.append(String.format("%" + width + "s", id));
        }
        out.println(head);
        for (int bin = 0; bin < edges.bins(); bin++) {
            StringBuilder row = new StringBuilder(String.format(label, edges.label(bin)));
            for (BinnedHistogram hist : h.values()) {
                row.append(String.format("%" + width + "d", hist.count(bin)));
            }
            out.println(row);
        }
        StringBuilder total = new StringBuilder(String.format(label, "total"));
        for (BinnedHistogram hist : h.values()) {
            total.append(String.format("%" + width + "d", hist.total()));
        }
        out.println(total);
        out.println(String.format(Locale.ROOT, "requests: %d  seconds: %.3f  requests/s: %.0f",
                result.requests(), result.seconds(), result.requestsPerSecond()));
    }

    static void json(PointSweep.Result result, BinEdges edges, PrintWriter out) {
        out.println(Json.write(g -> {
            g.writeStartObject();
            g.writeNumberField("requests", result.requests());
            g.writeFieldName("seconds");
            g.writeNumber(String.format(Locale.ROOT, "%.6f", result.seconds()));
            g.writeFieldName("requests_per_second");
            g.writeNumber(String.format(Locale.ROOT, "%.1f", result.requestsPerSecond()));
            g.writeArrayFieldStart("edges");
            for (int i = 0; i <= edges.bins(); i++) {
                g.writeNumber(Numbers.plain(edges.edge(i)));
            }
            g.writeEndArray();
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
