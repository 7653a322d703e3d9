package dev.courier.cli;

import dev.courier.cli.common.AtomicFile;
import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.client.RecordInfo;
import dev.courier.client.SampleBlock;
import dev.courier.client.SampleStream;
import dev.courier.protocol.ErrorCode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "range", mixinStandardHelpOptions = true,
        description = {"Print every sample of a record in [FROM, TO) seconds (or --from-sample/--to-sample), streamed "
                + "with bounded memory, or with --max-points its min/max/first/last envelope computed on the server.",
                "A whole record as CSV equals its source file: same header row (if any), numbers in the shortest "
                        + "form that reads back as the same double (0, 0.004, -1.28)."})
final class RangeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions server;

    @Parameters(arity = "0..3", paramLabel = "[RECORD] [FROM] [TO]",
            description = "Record id (unless --records), then FROM and TO in seconds (default: the whole record).")
    List<String> positional = new ArrayList<>();

    @Option(names = "--records", paramLabel = "LIST", description = "Several records, for example 1-15 or 1,3,5, one "
            + "after the other in one output: CSV rows start with the record id (id,time,v1,...; no header row), "
            + "JSON is one document with an entry per record ({\"records\": [...]}, with --max-points "
            + "{\"records\": {\"ID\": ...}}), NDJSON lines each carry \"record\".")
    String records;

    @Option(names = "--channels", paramLabel = "LIST", split = ",",
            description = "Channels, numbered from 1, in the order to print (default: all).")
    int[] channels;

    @Option(names = "--from-sample", paramLabel = "INDEX", description = "First sample index (instead of FROM).")
    Long fromSample;

    @Option(names = "--to-sample", paramLabel = "INDEX", description = "Sample index after the last (instead of TO).")
    Long toSample;

    @ArgGroup(exclusive = true)
    FormatOption format = new FormatOption();

    static final class FormatOption {
        @Option(names = "--csv", description = "CSV: time, then a column per channel (the default).")
        boolean csv;
        @Option(names = "--json", description = "One JSON document.")
        boolean json;
        @Option(names = "--ndjson", description = "One JSON object per line: per sample, or per bucket.")
        boolean ndjson;
    }

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of standard output: "
            + "under a temporary name in its folder, renamed to FILE once complete (a failed read leaves no FILE).")
    Path output;

    @Option(names = "--max-points", paramLabel = "N",
            description = "Per channel N buckets of min, max, first and last (at most 10000) instead of the samples.")
    Integer maxPoints;

    @Option(names = "--every", paramLabel = "K", defaultValue = "1", description = "Keep every K-th sample.")
    int every;

    private Format chosen() {
        if (format.json) {
            return Format.JSON;
        }
        if (format.ndjson) {
            return Format.NDJSON;
        }
        return maxPoints != null && !format.csv ? Format.JSON : Format.CSV;
    }

    @Override
    public Integer call() throws IOException {
        List<String> ids = records != null ? RecordRange.parse(records) : null;
        int recordArgs = ids == null ? 1 : 0;
        if (ids == null && positional.isEmpty()) {
            throw new IllegalArgumentException("name a RECORD, or several with --records");
        }
        if (positional.size() - recordArgs == 1) {
            throw new IllegalArgumentException("give both FROM and TO, or neither");
        }
        if (positional.size() > recordArgs && (fromSample != null || toSample != null)) {
            throw new IllegalArgumentException("give FROM and TO in seconds or --from-sample/--to-sample, not both");
        }
        if (every < 1) {
            throw new IllegalArgumentException("--every must be at least 1");
        }
        if (maxPoints != null && every != 1) {
            throw new IllegalArgumentException("--max-points and --every do not go together");
        }
        if (maxPoints != null && maxPoints < 1) {
            throw new IllegalArgumentException("--max-points must be at least 1");
        }
        if (ids == null) {
            ids = List.of(positional.getFirst());
        }
        try (CourierClient client = server.client(); Connection c = client.open();
             AtomicFile file = output != null ? AtomicFile.create(output) : null) {
            Writer out = file != null ? new BufferedWriter(new OutputStreamWriter(file.stream(),
                    StandardCharsets.UTF_8), 1 << 16) : new BufferedWriter(spec.commandLine().getOut(), 1 << 16);
            Map<String, RecordInfo> known = catalogue(c);
            List<Span> spans = new ArrayList<>(ids.size());
            for (String id : ids) {
                spans.add(span(known, id));
            }
            Format f = chosen();
            if (maxPoints != null) {
                new EnvelopePrinter(f, out, spans.size() > 1).print(c, spans, maxPoints);
            } else {
                new SamplePrinter(f, out, spans.size() > 1).print(c, spans, every);
            }
            // Standard output belongs to the process: flushed, not closed. A file gets its name only when whole.
            out.flush();
            if (file != null) {
                file.commit();
            }
            return 0;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (RuntimeException e) {
            throw CourierException.unwrap(e);
        }
    }

    /** The records the server holds, by id, in its order. */
    static Map<String, RecordInfo> catalogue(Connection c) {
        Map<String, RecordInfo> known = new LinkedHashMap<>();
        for (RecordInfo r : c.records().join()) {
            known.put(r.id(), r);
        }
        return known;
    }

    /** Record {@code id} of {@code known}, or UNKNOWN_RECORD. */
    static RecordInfo find(Map<String, RecordInfo> known, String id) {
        RecordInfo info = known.get(id);
        if (info == null) {
            throw new CourierException(ErrorCode.UNKNOWN_RECORD, "no record '" + id + "' (the server holds "
                    + known.size() + " records; see courier records)");
        }
        return info;
    }

    /** One record's part of the command: its metadata, the samples and the channels asked for. */
    record Span(RecordInfo info, long fromSample, long toSample, int[] channels) {
    }

    private Span span(Map<String, RecordInfo> known, String id) {
        RecordInfo info = find(known, id);
        long from;
        long to;
        int recordArgs = records == null ? 1 : 0;
        if (positional.size() > recordArgs) {
            long[] samples = info.samplesBetween(seconds(positional.get(recordArgs)),
                    seconds(positional.get(recordArgs + 1)));
            from = samples[0];
            to = samples[1];
        } else {
            from = fromSample != null ? fromSample : 0;
            to = toSample != null ? toSample : info.sampleCount();
        }
        int[] chosen = channels;
        if (chosen == null) {
            chosen = new int[info.channels().size()];
            for (int i = 0; i < chosen.length; i++) {
                chosen[i] = i + 1;
            }
        }
        return new Span(info, from, to, chosen);
    }

    private static double seconds(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a time in seconds");
        }
    }

    static void write(Writer out, String s) {
        try {
            out.write(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The output formats. */
    enum Format {
        CSV, JSON, NDJSON
    }

    /** The title of channel {@code number} in a header row, or a name for a record without one. */
    static String title(RecordInfo info, int number) {
        if (number < 1 || number > info.channels().size()) {
            return "ch" + number; // the server refuses the channel before anything is printed
        }
        RecordInfo.ChannelInfo ch = info.channels().get(number - 1);
        return ch.title().isEmpty() ? ch.name() : ch.title();
    }

    /** Reads one record's range through {@code stream}, block by block, and closes it. */
    static void drain(SampleStream stream, Consumer<SampleBlock> each) {
        try (stream) {
            for (SampleBlock b; (b = stream.next()) != null; ) {
                each.accept(b);
            }
        }
    }
}
