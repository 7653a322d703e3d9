package dev.courier.cli;

import static dev.courier.cli.RangeCommand.write;

import dev.courier.cli.RangeCommand.Format;
import dev.courier.cli.RangeCommand.Span;
import dev.courier.cli.common.Json;
import dev.courier.cli.common.Numbers;
import dev.courier.client.Connection;
import dev.courier.client.RecordInfo;
import java.io.Writer;
import java.util.List;

/**
 * Prints the samples of range reads as they stream in: CSV (the source file's form: the header row if the record's
 * CSV had one, then {@code time,v1,v2}; with several records each row starts with the record id and no header is
 * printed), one JSON document ({@code {"records": [{"id", "from_sample", "to_sample", "step", "channels",
 * "rows": [[time, v1, ...], ...]}]}}), or NDJSON, one object per sample. Nothing is printed for a record before its
 * first rows arrive, so a refused range leaves no partial header. Holds one block at a time.
 */
final class SamplePrinter {
    private final Format format;
    private final Writer out;
    private final boolean several;
    private final StringBuilder line = new StringBuilder(128);

    SamplePrinter(Format format, Writer out, boolean several) {
        this.format = format;
        this.out = out;
        this.several = several;
    }

    void print(Connection c, List<Span> spans, int step) {
        if (format == Format.JSON) {
            write(out, "{\"records\": [");
        }
        boolean firstSpan = true;
        for (Span s : spans) {
            RecordInfo info = s.info();
            boolean[] started = {false};
            boolean[] firstRow = {true};
            boolean comma = !firstSpan;
            RangeCommand.drain(c.range(info.id(), s.fromSample(), s.toSample(), step, s.channels()), block -> {
                if (!started[0]) {
                    started[0] = true;
                    begin(s, step, comma);
                }
                for (int r = 0; r < block.rows(); r++) {
                    line.setLength(0);
                    long index = block.sampleIndex(r);
                    double time = info.sampleTimeSeconds(index);
                    switch (format) {
                        case CSV -> {
                            if (several) {
                                line.append(info.id()).append(',');
                            }
                            line.append(Numbers.plain(time));
                            for (int ch = 0; ch < block.channelCount(); ch++) {
                                line.append(',').append(Numbers.plain(block.value(r, ch)));
                            }
                            line.append('\n');
                        }
                        case JSON -> {
                            line.append(firstRow[0] ? "\n" : ",\n").append('[').append(Numbers.plain(time));
                            for (int ch = 0; ch < block.channelCount(); ch++) {
                                line.append(", ").append(Numbers.plain(block.value(r, ch)));
                            }
                            line.append(']');
                        }
                        case NDJSON -> {
                            line.append("{\"record\": ").append(Json.quote(info.id())).append(", \"sample\": ")
                                    .append(index).append(", \"time_s\": ").append(Numbers.plain(time))
                                    .append(", \"values\": {");
                            for (int ch = 0; ch < block.channelCount(); ch++) {
                                line.append(ch == 0 ? "\"" : ", \"").append(s.channels()[ch]).append("\": ")
                                        .append(Numbers.plain(block.value(r, ch)));
                            }
                            line.append("}}\n");
                        }
                    }
                    firstRow[0] = false;
                    write(out, line.toString());
                }
            });
            if (!started[0]) {
                begin(s, step, comma); // an empty range: its header (or JSON entry) all the same
            }
            if (format == Format.JSON) {
                write(out, "]}");
            }
            firstSpan = false;
        }
        if (format == Format.JSON) {
            write(out, "]}\n");
        }
    }

    /** What comes before a record's rows: the CSV header row, or the start of its JSON entry. */
    private void begin(Span s, int step, boolean comma) {
        RecordInfo info = s.info();
        switch (format) {
            case CSV -> {
                if (!several && info.timeTitle().isPresent()) {
                    StringBuilder header = new StringBuilder(info.timeTitle().get());
                    for (int ch : s.channels()) {
                        header.append(',').append(RangeCommand.title(info, ch));
                    }
                    write(out, header.append('\n').toString());
                }
            }
            case JSON -> {
                StringBuilder b = new StringBuilder(comma ? ",\n" : "\n");
                b.append("{\"id\": ").append(Json.quote(info.id())).append(", \"from_sample\": ")
                        .append(s.fromSample()).append(", \"to_sample\": ").append(s.toSample())
                        .append(", \"step\": ").append(step).append(", \"channels\": [");
                for (int i = 0; i < s.channels().length; i++) {
                    b.append(i == 0 ? "" : ", ").append(s.channels()[i]);
                }
                write(out, b.append("], \"rows\": [").toString());
            }
            case NDJSON -> {
                // One object per sample, each self-describing: nothing before the rows.
            }
        }
    }
}
