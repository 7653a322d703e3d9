package dev.courier.cli;

import dev.courier.client.Appended;
import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.client.RecordInfo;
import dev.courier.client.SampleBlock;
import dev.courier.client.SampleStream;
import dev.courier.protocol.ErrorCode;
import java.io.PrintWriter;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code courier replay RECORD}: plays a recorded record into a live one at its own pace ({@code --speed} times
 * real time), the demo's live source. Reads the source with a range stream (bounded memory) and appends each row
 * when its time comes, in batches of the rows that are due, a few APPENDs in flight.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Play a recorded record into a live record in real time (the server needs --live): row i is "
                + "appended at i / rate / speed seconds after the start, with its own time and values.",
                "Without --from-record, RECORD is the source and the live record is RECORD-live."})
final class ReplayCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions server;

    @Parameters(index = "0", paramLabel = "RECORD", description = "The live record to create (or, without "
            + "--from-record, the recorded source).")
    String record;

    @Option(names = "--from-record", paramLabel = "R", description = "The recorded record to play.")
    String fromRecord;

    @Option(names = "--speed", paramLabel = "X", defaultValue = "1",
            description = "Times real time (default: ${DEFAULT-VALUE}); 10 plays a minute in 6 s.")
    double speed;

    @Option(names = "--seconds", paramLabel = "S", description = "Play only the first S seconds of the source.")
    Double seconds;

    @Override
    public Integer call() {
        if (!(speed > 0) || Double.isInfinite(speed)) {
            throw new IllegalArgumentException("--speed must be a positive number, not " + speed);
        }
        String source = fromRecord != null ? fromRecord : record;
        String target = fromRecord != null ? record : record + "-live";
        long rows = 0;
        try (CourierClient client = server.client(); Connection c = client.open()) {
            RecordInfo info = c.records().join().stream().filter(r -> r.id().equals(source)).findFirst()
                    .orElseThrow(() -> new CourierException(ErrorCode.UNKNOWN_RECORD, "no record '" + source + "'"));
            long end = seconds == null ? info.sampleCount()
                    : Math.min(info.sampleCount(), info.sampleAtOrAfter(info.startTimeSeconds() + seconds));
            int channels = info.channels().size();
            int[] all = new int[channels];
            Arrays.setAll(all, i -> i + 1);
            ArrayDeque<CompletableFuture<Appended>> inFlight = new ArrayDeque<>();
            int maxBatch = 4096;
            double[] times = new double[maxBatch];
            double[] values = new double[maxBatch * channels];
            int batch = 0;
            long startNanos = System.nanoTime();
            try (SampleStream s = c.range(source, 0, end, 1, all)) {
                for (SampleBlock b; (b = s.next()) != null; ) {
                    for (int r = 0; r < b.rows(); r++) {
                        long index = b.sampleIndex(r);
                        long dueNanos = startNanos + (long) (index / info.rateHz() / speed * 1e9);
                        if (batch == maxBatch || (batch > 0 && dueNanos > System.nanoTime())) {
                            send(c, target, info.rateHz(), channels, times, values, batch, inFlight);
                            rows += batch;
                            batch = 0;
                        }
                        for (long wait; (wait = dueNanos - System.nanoTime()) > 0; ) {
                            LockSupport.parkNanos(wait); // the row's time has not come yet
                        }
                        times[batch] = info.sampleTimeSeconds(index);
                        for (int ch = 0; ch < channels; ch++) {
                            values[batch * channels + ch] = b.value(r, ch);
                        }
                        batch++;
                    }
                }
            }
            if (batch > 0) {
                send(c, target, info.rateHz(), channels, times, values, batch, inFlight);
                rows += batch;
            }
            for (CompletableFuture<Appended> f : inFlight) {
                f.join();
            }
        } catch (RuntimeException e) {
            throw CourierException.unwrap(e);
        }
        PrintWriter err = spec.commandLine().getErr();
        err.println("courier: replayed " + rows + " rows of " + source + " into live record " + target);
        err.flush();
        return 0;
    }

    private static void send(Connection c, String target, double rateHz, int channels, double[] times,
                             double[] values, int rows, ArrayDeque<CompletableFuture<Appended>> inFlight) {
        inFlight.add(c.append(target, rateHz, channels, Arrays.copyOf(times, rows),
                Arrays.copyOf(values, rows * channels)));
        while (inFlight.size() >= AppendCommand.MAX_IN_FLIGHT || (!inFlight.isEmpty() && inFlight.peek().isDone())) {
            inFlight.poll().join();
        }
    }
}
