package dev.courier.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.client.Appended;
import dev.courier.client.ClientConfig;
import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.client.RecordInfo;
import dev.courier.client.SampleBlock;
import dev.courier.client.SampleStream;
import dev.courier.server.testing.CsvTruth;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live server killed with SIGKILL while APPENDs are in flight loses no acknowledged row: after a restart on the same
 * live directory every row that was acknowledged is there with its exact values, and appending goes on from where
 * the record ends. The shared log is made small (8 KiB), so checkpoints (record files synced, full logs deleted) run
 * all through the test, and the kill lands with rows both in the record files and in the log alone.
 */
class LiveCrashTest {
    private static final double RATE_HZ = 250;
    private static final int ROWS_PER_APPEND = 50;

    @TempDir
    Path dir;

    private String[] serverArgs(int port) {
        return new String[] {"--port", String.valueOf(port), "--data", CsvTruth.dataDir().toString(), "--live",
            "--live-dir", dir.resolve("live").toString(), "--live-log-checkpoint-bytes", "8KiB"};
    }

    private static double value(long sample) {
        return sample * 0.25 - 3;
    }

    private static CompletableFuture<Appended> append(Connection c, long first) {
        double[] times = new double[ROWS_PER_APPEND];
        double[] values = new double[ROWS_PER_APPEND];
        for (int r = 0; r < ROWS_PER_APPEND; r++) {
            times[r] = (first + r) / RATE_HZ;
            values[r] = value(first + r);
        }
        return c.append("crash", RATE_HZ, 1, times, values);
    }

    @Test
    void everyAcknowledgedRowSurvivesAKillNine() throws Exception {
        CourierProcess server = CourierProcess.server(serverArgs(0));
        int port = ProcessFaultsTest.portOf(server);
        long acknowledgedEnd = 0;
        try (CourierClient client = new CourierClient(ClientConfig.of("127.0.0.1", port))) {
            try (Connection c = client.open()) {
                ArrayDeque<CompletableFuture<Appended>> inFlight = new ArrayDeque<>();
                long next = 0;
                int acked = 0;
                // Eight APPENDs in flight at all times; the kill comes after 200 acknowledgements, with more pending.
                while (true) {
                    while (inFlight.size() < 8) {
                        inFlight.add(append(c, next));
                        next += ROWS_PER_APPEND;
                    }
                    Appended a = inFlight.poll().join();
                    assertThat(a.firstSample()).isEqualTo(acknowledgedEnd);
                    acknowledgedEnd = a.firstSample() + a.rows();
                    if (++acked == 200) {
                        break;
                    }
                }
                server.kill();
                for (CompletableFuture<Appended> f : inFlight) {
                    try {
                        Appended a = f.join(); // acknowledged before the kill reached the server's socket
                        acknowledgedEnd = Math.max(acknowledgedEnd, a.firstSample() + a.rows());
                    } catch (CompletionException e) {
                        // never acknowledged: may or may not be there
                    }
                }
            }
            server = CourierProcess.server(serverArgs(port));
            try (Connection c = client.open()) {
                RecordInfo info = c.records().join().stream().filter(r -> r.id().equals("crash")).findFirst()
                        .orElseThrow();
                assertThat((long) info.sampleCount()).isGreaterThanOrEqualTo(acknowledgedEnd);
                long sample = 0;
                try (SampleStream s = c.range("crash", 0, info.sampleCount(), 1, new int[] {1})) {
                    for (SampleBlock b; (b = s.next()) != null; ) {
                        for (int r = 0; r < b.rows(); r++, sample++) {
                            assertThat(b.sampleIndex(r)).isEqualTo(sample);
                            assertThat(b.value(r, 0)).as("sample %d", sample).isEqualTo(value(sample));
                        }
                    }
                }
                assertThat(sample).isEqualTo(info.sampleCount());
                Appended more = append(c, info.sampleCount()).join();
                assertThat(more.firstSample()).isEqualTo(info.sampleCount());
            }
        } finally {
            server.close();
        }
    }
}
