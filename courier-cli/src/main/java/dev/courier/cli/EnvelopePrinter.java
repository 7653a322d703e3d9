package dev.courier.cli;

import static dev.courier.cli.RangeCommand.write;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.courier.cli.RangeCommand.Format;
import dev.courier.cli.RangeCommand.Span;
import dev.courier.cli.common.Json;
import dev.courier.cli.common.Numbers;
import dev.courier.client.Connection;
import dev.courier.client.Envelope;
import dev.courier.client.RecordInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.List;
import java.util.Set;

/**
 * Prints envelopes ({@code range --max-points N}): JSON {@code {"channels": {"1": [{"from_s", "to_s", "min",
 * "max", "first", "last"}, ...]}}} for one record, {@code {"records": {"ID": {"channels": ...}}}} for several; CSV
 * {@code record,channel,from_s,to_s,min,max,first,last}; or NDJSON, one bucket per line with the same keys. A
 * bucket's {@code to_s} is the time of the first sample after it, so buckets tile the range. JSON and NDJSON are
 * written by Jackson's streaming generator ({@link Json#streaming}), on one line per document or bucket. Confined to
 * the calling thread.
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
        try {
            switch (format) {
                case CSV -> csv(c, spans, buckets);
                case JSON, NDJSON -> json(c, spans, buckets);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Envelope envelope(Connection c, Span s, int buckets) {
        return c.envelope(s.info().id(), s.fromSample(), s.toSample(), buckets, s.channels()).join();
    }

    private void csv(Connection c, List<Span> spans, int buckets) {
        StringBuilder b = new StringBuilder("record,channel,from_s,to_s,min,max,first,last\n");
        for (Span s : spans) {
            RecordInfo info = s.info();
            Envelope e = envelope(c, s, buckets);
            for (int ch = 0; ch < s.channels().length; ch++) {
                for (int k = 0; k < e.buckets(); k++) {
                    b.append(info.id()).append(',').append(s.channels()[ch]).append(',')
                            .append(Numbers.plain(info.sampleTimeSeconds(e.bucketStart(k)))).append(',')
                            .append(Numbers.plain(info.sampleTimeSeconds(e.bucketStart(k + 1)))).append(',')
                            .append(Numbers.plain(e.min(ch, k))).append(',').append(Numbers.plain(e.max(ch, k)))
                            .append(',').append(Numbers.plain(e.first(ch, k))).append(',')
                            .append(Numbers.plain(e.last(ch, k))).append('\n');
                }
            }
            write(out, b.toString());
            b.setLength(0);
        }
    }

    private void json(Connection c, List<Span> spans, int buckets) throws IOException {
        JsonGenerator g = Json.streaming(out, Set.of());
        boolean document = format == Format.JSON;
        if (document && several) {
            g.writeStartObject();
            g.writeObjectFieldStart("records");
        }
        for (Span s : spans) {
            RecordInfo info = s.info();
            Envelope e = envelope(c, s, buckets);
            if (document) {
                if (several) {
                    g.writeFieldName(info.id());
                }
                g.writeStartObject();
                g.writeObjectFieldStart("channels");
            }
            for (int ch = 0; ch < s.channels().length; ch++) {
                if (document) {
                    g.writeArrayFieldStart(Integer.toString(s.channels()[ch]));
                }
                for (int k = 0; k < e.buckets(); k++) {
                    g.writeStartObject();
                    if (!document) {
                        g.writeStringField("record", info.id());
                        g.writeNumberField("channel", s.channels()[ch]);
                    }
                    number(g, "from_s", info.sampleTimeSeconds(e.bucketStart(k)));
                    number(g, "to_s", info.sampleTimeSeconds(e.bucketStart(k + 1)));
                    number(g, "min", e.min(ch, k));
                    number(g, "max", e.max(ch, k));
                    number(g, "first", e.first(ch, k));
                    number(g, "last", e.last(ch, k));
                    g.writeEndObject();
                    if (!document) {
                        g.writeRaw('\n');
                    }
                }
                if (document) {
                    g.writeEndArray();
                }
            }
            if (document) {
                g.writeEndObject();
                g.writeEndObject();
            }
        }
        if (document && several) {
            g.writeEndObject();
            g.writeEndObject();
        }
        if (document) {
            g.writeRaw('\n');
        }
        g.flush();
    }

    private static void number(JsonGenerator g, String name, double v) throws IOException {
        g.writeFieldName(name);
        g.writeNumber(Numbers.plain(v));
    }
}
