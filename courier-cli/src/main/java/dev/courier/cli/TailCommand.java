package dev.courier.cli;

import dev.courier.cli.common.Numbers;
import dev.courier.client.Backoff;
import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.client.LiveTail;
import dev.courier.client.RecordInfo;
import dev.courier.client.SampleBlock;
import dev.courier.protocol.ErrorCode;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code courier tail RECORD}: follows a live record, printing its samples as they are acknowledged, the stored ones
 * from {@code --from} first; it reconnects and resumes from the sample after the last one printed, so a broken
 * connection or a restarted server costs no gap and no duplicate ({@link LiveTail}).
 */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = {"Follow a live record: print its samples as they arrive (the server needs --live), the stored "
                + "ones from --from first. Reconnects and resumes without gaps or duplicates."})
final class TailCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions server;

    @Parameters(index = "0", paramLabel = "RECORD", description = "The live record's id.")
    String record;

    @Option(names = "--channels", paramLabel = "LIST", split = ",",
            description = "Channels, numbered from 1, in the order to print (default: all).")
    int[] channels;

    @ArgGroup(exclusive = true)
    From from = new From();

    static final class From {
        @Option(names = "--from", paramLabel = "SECONDS", description = "Start at the sample at or after this time.")
        Double seconds;
        @Option(names = "--from-sample", paramLabel = "INDEX", description = "Start at this sample index.")
        Long sample;
        @Option(names = "--from-now", description = "Only samples appended from now on (the default).")
        boolean now;
    }

    @Option(names = "--count", paramLabel = "N", description = "Exit after N samples (default: follow for ever).")
    Long count;

    @Option(names = "--csv", description = "CSV with a header row: time, then a column per channel. Without it the "
            + "fields are separated by spaces.")
    boolean csv;

    @Option(names = "--give-up-ms", paramLabel = "MILLIS", defaultValue = "60000",
            description = "How long to keep reconnecting before failing (default: ${DEFAULT-VALUE}).")
    long giveUpMillis;

    @Override
    public Integer call() {
        if (count != null && count < 1) {
            throw new IllegalArgumentException("--count must be at least 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (CourierClient client = server.client()) {
            RecordInfo info = find(client);
            int[] asked = channels != null ? channels : allChannels(info);
            long start = from.sample != null ? from.sample
                    : from.seconds != null ? Math.min(info.sampleAtOrAfter(from.seconds), info.sampleCount())
                    : info.sampleCount();
            char sep = csv ? ',' : ' ';
            if (csv) {
                StringBuilder header = new StringBuilder("time");
                for (int ch : asked) {
                    header.append(',').append("ch").append(ch);
                }
                out.println(header);
            }
            long printed = 0;
            StringBuilder line = new StringBuilder(128);
            try (LiveTail tail = new LiveTail(client, record, start, asked, Backoff.DEFAULT, giveUpMillis)) {
                while (count == null || printed < count) {
                    SampleBlock b = tail.next();
                    if (b == null) {
                        break;
                    }
                    for (int r = 0; r < b.rows() && (count == null || printed < count); r++, printed++) {
                        line.setLength(0);
                        line.append(Numbers.plain(info.sampleTimeSeconds(b.sampleIndex(r))));
                        for (int ch = 0; ch < b.channelCount(); ch++) {
                            line.append(sep).append(Numbers.plain(b.value(r, ch)));
                        }
                        out.println(line);
                    }
                    out.flush();
                }
            }
            out.flush();
            return 0;
        } catch (RuntimeException e) {
            throw CourierException.unwrap(e);
        }
    }

    /** The record's rate, start and channels, from RECORDS. */
    private RecordInfo find(CourierClient client) {
        try (Connection c = client.open()) {
            List<RecordInfo> all = c.records().join();
            for (RecordInfo r : all) {
                if (r.id().equals(record)) {
                    return r;
                }
            }
        }
        throw new CourierException(ErrorCode.UNKNOWN_RECORD, "no record '" + record + "' on the server (a live "
                + "record exists once something is appended to it)");
    }

    private static int[] allChannels(RecordInfo info) {
        int[] all = new int[info.channels().size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i + 1;
        }
        return all;
    }
}
