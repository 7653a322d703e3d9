package dev.courier.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.courier.cli.RangeCommand.Format;
import dev.courier.cli.RangeCommand.Span;
import dev.courier.cli.common.Json;
import dev.courier.cli.common.Numbers;
import dev.courier.client.Connection;
import dev.courier.client.RecordInfo;
import dev.courier.client.SampleBlock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.List;
import java.util.Set;

/**
 * Prints the samples of range reads as they stream in: CSV (the source file's form: the header row if the record's
 * CSV had one, then {@code time,v1,v2}; with several records each row starts with the record id and no header is
 * printed), one JSON document ({@code {"records": [{"id", "from_sample", "to_sample", "step", "channels",
 * "rows": [[time, v1, ...], ...]}]}}, each record and each row on a line of its own), or NDJSON, one object per
 * sample. JSON and NDJSON are written by Jackson's streaming generator ({@link Json#streaming}); CSV by hand, a block
 * of rows at a time into one buffer, each number by {@link Numbers#appendPlain} (the text of {@link Numbers#plain},
 * without a String per value). Nothing is printed for a record before its first rows arrive, so a refused range
 * leaves no partial header. Holds one block at a time. Confined to the calling thread.
 */
final class SamplePrinter {
    private final Format format;
    private final Writer out;
    private final boolean several;
    /** A block's CSV text, or one number's for the JSON generator. */
    private final StringBuilder text = new StringBuilder(1 << 16);
    private char[] chars = new char[1 << 16];
    /** JSON and NDJSON only; null for CSV. */
    private final JsonGenerator json;

    SamplePrinter(Format format, Writer out, boolean several) {
        this.format = format;
        this.out = out;
        this.several = several;
        this.json = format == Format.CSV ? null : Json.streaming(out, Set.of("records", "rows"));
    }

    void print(Connection c, List<Span> spans, int step) {
        try {
            if (format == Format.JSON) {
                json.writeStartObject();
                json.writeArrayFieldStart("records");
            }
            for (Span s : spans) {
                boolean[] started = {false};
                RangeCommand.drain(c.range(s.info().id(), s.fromSample(), s.toSample(), step, s.channels()), block -> {
                    try {
                        if (!started[0]) {
                            started[0] = true;
                            begin(s, step);
                        }
                        rows(s, block);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                if (!started[0]) {
                    begin(s, step); // an empty range: its header (or JSON entry) all the same
                }
                if (format == Format.JSON) {
                    json.writeEndArray();
                    json.writeEndObject();
                }
            }
            if (format == Format.JSON) {
                json.writeEndArray();
                json.writeEndObject();
            }
            if (json != null) {
                json.flush();
                if (format == Format.JSON) {
                    out.write('\n');
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What comes before a record's rows: the CSV header row, or the start of its JSON entry. */
    private void begin(Span s, int step) throws IOException {
        RecordInfo info = s.info();
        switch (format) {
            case CSV -> {
                if (!several && info.timeTitle().isPresent()) {
                    StringBuilder header = new StringBuilder(info.timeTitle().get());
                    for (int ch : s.channels()) {
                        header.append(',').append(RangeCommand.title(info, ch));
                    }
                    out.write(header.append('\n').toString());
                }
            }
            case JSON -> {
                json.writeStartObject();
                json.writeStringField("id", info.id());
                json.writeNumberField("from_sample", s.fromSample());
                json.writeNumberField("to_sample", s.toSample());
                json.writeNumberField("step", step);
                json.writeArrayFieldStart("channels");
                for (int ch : s.channels()) {
                    json.writeNumber(ch);
                }
                json.writeEndArray();
                json.writeArrayFieldStart("rows");
            }
            case NDJSON -> {
                // One object per sample, each self-describing: nothing before the rows.
            }
        }
    }

    private void rows(Span s, SampleBlock block) throws IOException {
        switch (format) {
            case CSV -> csv(s.info(), block);
            case JSON -> {
                for (int r = 0; r < block.rows(); r++) {
                    json.writeStartArray();
                    number(s.info().sampleTimeSeconds(block.sampleIndex(r)));
                    for (int ch = 0; ch < block.channelCount(); ch++) {
                        number(block.value(r, ch));
                    }
                    json.writeEndArray();
                }
            }
            case NDJSON -> {
                for (int r = 0; r < block.rows(); r++) {
                    long index = block.sampleIndex(r);
                    json.writeStartObject();
                    json.writeStringField("record", s.info().id());
                    json.writeNumberField("sample", index);
                    json.writeFieldName("time_s");
                    number(s.info().sampleTimeSeconds(index));
                    json.writeObjectFieldStart("values");
                    for (int ch = 0; ch < block.channelCount(); ch++) {
                        json.writeFieldName(Integer.toString(s.channels()[ch]));
                        number(block.value(r, ch));
                    }
                    json.writeEndObject();
                    json.writeEndObject();
                    json.writeRaw('\n');
                }
            }
        }
    }

    /** A block's rows as CSV lines, built in one buffer and written at once. */
    private void csv(RecordInfo info, SampleBlock block) throws IOException {
        text.setLength(0);
        int channels = block.channelCount();
        for (int r = 0; r < block.rows(); r++) {
            if (several) {
                text.append(info.id()).append(',');
            }
            Numbers.appendPlain(text, info.sampleTimeSeconds(block.sampleIndex(r)));
            for (int ch = 0; ch < channels; ch++) {
                Numbers.appendPlain(text.append(','), block.value(r, ch));
            }
            text.append('\n');
        }
        flushText();
    }

    /** {@code v} as a JSON number in the text {@link Numbers#plain} gives it. */
    private void number(double v) throws IOException {
        text.setLength(0);
        Numbers.appendPlain(text, v);
        int n = text.length();
        text.getChars(0, n, chars, 0);
        json.writeNumber(chars, 0, n);
    }

    private void flushText() throws IOException {
        int n = text.length();
        if (chars.length < n) {
            chars = new char[Math.max(n, chars.length * 2)];
        }
        text.getChars(0, n, chars, 0);
        out.write(chars, 0, n);
    }
}
