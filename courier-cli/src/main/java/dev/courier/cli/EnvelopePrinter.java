package dev.courier.cli;

import static dev.courier.cli.RangeCommand.write;

import dev.courier.cli.RangeCommand.Format;
import dev.courier.cli.RangeCommand.Span;
import dev.courier.cli.common.Json;
import dev.courier.cli.common.Numbers;
import dev.courier.client.Connection;
import dev.courier.client.Envelope;
import dev.courier.client.RecordInfo;
import java.io.Writer;
import java.util.List;

/**
 * Prints envelopes ({@code range --max-points N}): JSON {@code {"channels": {"1": [{"from_s", "to_s", "min",
 * "max", "first", "last"}, ...]}}} for one record, {@code {"records": {"ID": {"channels": ...}}}} for several; CSV
 * {@code record,channel,from_s,to_s,min,max,first,last}; or NDJSON, one bucket per line with the same keys. A
 * bucket's {@code to_s} is the time of the first sample after it, so buckets tile the range.
 */
final class EnvelopePrinter {
    private final Format format;
    private final Writer out;
    private final boolean several;

    EnvelopePrinter(Format format, Writer out, boolean several) {
        this.format = format;
        this.out = out;
        this.several = several;
    }

    void print(Connection c, List<Span> spans, int buckets) {
        StringBuilder b = new StringBuilder();
        switch (format) {
            case CSV -> b.append("record,channel,from_s,to_s,min,max,first,last\n");
            case JSON -> b.append(several ? "{\"records\": {" : "");
            case NDJSON -> {
                // one object per bucket, nothing before
            }
        }
        boolean firstSpan = true;
        for (Span s : spans) {
            RecordInfo info = s.info();
            Envelope e = c.envelope(info.id(), s.fromSample(), s.toSample(), buckets, s.channels()).join();
            if (format == Format.JSON) {
                b.append(firstSpan ? "" : ", ").append(several ? Json.quote(info.id()) + ": " : "")
                        .append("{\"channels\": {");
            }
            for (int ch = 0; ch < s.channels().length; ch++) {
                if (format == Format.JSON) {
                    b.append(ch == 0 ? "" : ", ").append('"').append(s.channels()[ch]).append("\": [");
                }
                for (int k = 0; k < e.buckets(); k++) {
                    String from = Numbers.plain(info.sampleTimeSeconds(e.bucketStart(k)));
                    String to = Numbers.plain(info.sampleTimeSeconds(e.bucketStart(k + 1)));
                    String min = Numbers.plain(e.min(ch, k));
                    String max = Numbers.plain(e.max(ch, k));
                    String first = Numbers.plain(e.first(ch, k));
                    String last = Numbers.plain(e.last(ch, k));
                    switch (format) {
                        case CSV -> b.append(info.id()).append(',').append(s.channels()[ch]).append(',').append(from)
                                .append(',').append(to).append(',').append(min).append(',').append(max).append(',')
                                .append(first).append(',').append(last).append('\n');
                        case JSON -> b.append(k == 0 ? "" : ", ").append(bucket(from, to, min, max, first, last));
                        case NDJSON -> b.append("{\"record\": ").append(Json.quote(info.id()))
                                .append(", \"channel\": ").append(s.channels()[ch]).append(", ")
                                .append(bucket(from, to, min, max, first, last).substring(1))
                                .append('\n');
                    }
                }
                if (format == Format.JSON) {
                    b.append(']');
                }
            }
            if (format == Format.JSON) {
                b.append("}}");
            }
            write(out, b.toString());
            b.setLength(0);
            firstSpan = false;
        }
        if (format == Format.JSON) {
            write(out, several ? "}}\n" : "\n");
        }
    }

    private static String bucket(String from, String to, String min, String max, String first, String last) {
        return "{\"from_s\": " + from + ", \"to_s\": " + to + ", \"min\": " + min + ", \"max\": " + max
                + ", \"first\": " + first + ", \"last\": " + last + "}";
    }
}
