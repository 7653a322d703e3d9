package dev.courier.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.protocol.ErrorCode;
import dev.courier.server.CourierServer;
import dev.courier.server.ServerConfig;
import dev.courier.server.live.LiveConfig;
import dev.courier.server.testing.TestServers;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client library's live API against real servers on loopback: {@link Connection#append} and
 * {@link Connection#subscribe} carry exact values, and {@link LiveTail} follows a record across a server restart with
 * every sample once, in order.
 */
class LiveTest {
    private static final double RATE_HZ = 250;

    @TempDir
    Path dir;

    private ServerConfig config(int port) {
        return TestServers.config(dir).withLive(LiveConfig.of(dir.resolve("live")))
                .withBindAddress(new InetSocketAddress("127.0.0.1", port));
    }

    private static double value(long sample, int channel) {
        return sample * 0.5 + channel / 8.0;
    }

    /** Appends samples {@code [first, first + n)} of two channels. */
    private static Appended append(Connection c, String record, long first, int n) {
        double[] times = new double[n];
        double[] values = new double[2 * n];
        for (int r = 0; r < n; r++) {
            times[r] = (first + r) / RATE_HZ;
            values[2 * r] = value(first + r, 1);
            values[2 * r + 1] = value(first + r, 2);
        }
        return c.append(record, RATE_HZ, 2, times, values).join();
    }

    @Test
    void appendedRowsComeBackExactlyThroughSubscribeAndRange() throws Exception {
        try (CourierServer server = CourierServer.start(config(0));
             CourierClient client = new CourierClient(ClientConfig.of("127.0.0.1", server.localAddress().getPort()));
             Connection c = client.open()) {
            assertThat(append(c, "lib", 0, 100)).isEqualTo(new Appended(0, 100));
            try (SampleStream s = c.subscribe("lib", 90, new int[] {2})) {
                List<Double> got = new ArrayList<>();
                while (got.size() < 10) {
                    SampleBlock b = s.next();
                    for (int r = 0; r < b.rows(); r++) {
                        assertThat(b.sampleIndex(r)).isEqualTo(90 + got.size());
                        got.add(b.value(r, 0));
                    }
                }
                assertThat(append(c, "lib", 100, 5)).isEqualTo(new Appended(100, 5));
                while (got.size() < 15) {
                    SampleBlock b = s.next();
                    for (int r = 0; r < b.rows(); r++) {
                        assertThat(b.sampleIndex(r)).isEqualTo(90 + got.size());
                        got.add(b.value(r, 0));
                    }
                }
                for (int i = 0; i < 15; i++) {
                    assertThat(got.get(i)).isEqualTo(value(90 + i, 2));
                }
            }
            RecordInfo info = c.records().join().stream().filter(r -> r.id().equals("lib")).findFirst()
                    .orElseThrow();
            assertThat(info.sampleCount()).isEqualTo(105);
        }
    }

    @Test
    void aPushedSubscriptionDeliversStoredThenAppendedRowsAndEndsWhenClosed() throws Exception {
        try (CourierServer server = CourierServer.start(config(0));
             CourierClient client = new CourierClient(ClientConfig.of("127.0.0.1", server.localAddress().getPort()));
             Connection c = client.open()) {
            append(c, "pushed", 0, 100);
            // The consumer runs on the event loop and must not block: it only hands each row over.
            BlockingQueue<double[]> rows = new LinkedBlockingQueue<>();
            Subscription sub = c.subscribe("pushed", 90, new int[] {2}, b -> {
                for (int r = 0; r < b.rows(); r++) {
                    rows.add(new double[] {b.sampleIndex(r), b.value(r, 0)});
                }
            });
            List<double[]> got = new ArrayList<>();
            takeRows(rows, got, 10);
            append(c, "pushed", 100, 5);
            takeRows(rows, got, 15);
            for (int i = 0; i < 15; i++) {
                assertThat(got.get(i)[0]).isEqualTo(90 + i);
                assertThat(got.get(i)[1]).isEqualTo(value(90 + i, 2));
            }
            sub.close();
            assertThat(sub.done().get(10, TimeUnit.SECONDS)).isEqualTo(15);
            assertThat(rows).isEmpty();

            Subscription missing = c.subscribe("no-such-record", 0, new int[] {1}, b -> { });
            assertThatThrownBy(() -> missing.done().get(10, TimeUnit.SECONDS)).cause()
                    .isInstanceOfSatisfying(CourierException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_RECORD));
            assertThat(append(c, "pushed", 105, 1)).isEqualTo(new Appended(105, 1));
        }
    }

    /** Takes rows from {@code queue} into {@code got} until it holds {@code n}, each wait bounded. */
    private static void takeRows(BlockingQueue<double[]> queue, List<double[]> got, int n) throws InterruptedException {
        while (got.size() < n) {
            double[] row = queue.poll(10, TimeUnit.SECONDS);
            assertThat(row).as("row " + got.size() + " within 10 s").isNotNull();
            got.add(row);
        }
    }

    @Test
    void liveErrorsAreTyped() throws Exception {
        try (CourierServer plain = TestServers.start();
             CourierClient client = new CourierClient(ClientConfig.of("127.0.0.1", plain.localAddress().getPort()));
             Connection c = client.open()) {
            assertThatThrownBy(() -> append(c, "x", 0, 1)).cause().isInstanceOfSatisfying(CourierException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.LIVE_DISABLED));
        }
        try (CourierServer server = CourierServer.start(config(0));
             CourierClient client = new CourierClient(ClientConfig.of("127.0.0.1", server.localAddress().getPort()));
             Connection c = client.open()) {
            try (SampleStream s = c.subscribe("missing", 0, new int[] {1})) {
                assertThatThrownBy(s::next).isInstanceOfSatisfying(CourierException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_RECORD));
            }
            try (LiveTail tail = new LiveTail(client, "missing", 0, new int[] {1}, Backoff.DEFAULT, 10_000)) {
                assertThatThrownBy(tail::next).isInstanceOfSatisfying(CourierException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_RECORD));
            }
        }
    }

    @Test
    void aTailResumesAfterTheServerRestartsWithNoGapAndNoDuplicate() throws Exception {
        CourierServer first = CourierServer.start(config(0));
        int port = first.localAddress().getPort();
        List<Long> seen = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        try (CourierClient client = new CourierClient(ClientConfig.of("127.0.0.1", port))) {
            try (Connection c = client.open()) {
                append(c, "follow", 0, 500);
            }
            try (LiveTail tail = new LiveTail(client, "follow", 0, new int[] {1, 2}, new Backoff(20, 200), 30_000)) {
                while (seen.size() < 500) {
                    take(tail, seen, values);
                }
                first.close(); // every connection is told SHUTTING_DOWN and closed; the tail reconnects
                try (CourierServer second = CourierServer.start(config(port)); Connection c = client.open()) {
                    append(c, "follow", 500, 300);
                    while (seen.size() < 800) {
                        take(tail, seen, values);
                    }
                    append(c, "follow", 800, 50);
                    while (seen.size() < 850) {
                        take(tail, seen, values);
                    }
                }
            }
        } finally {
            first.close();
        }
        assertThat(seen).hasSize(850);
        for (int i = 0; i < 850; i++) {
            assertThat(seen.get(i)).isEqualTo(i);
            assertThat(values.get(2 * i)).isEqualTo(value(i, 1));
            assertThat(values.get(2 * i + 1)).isEqualTo(value(i, 2));
        }
    }

    private static void take(LiveTail tail, List<Long> seen, List<Double> values) {
        SampleBlock b = tail.next();
        for (int r = 0; r < b.rows(); r++) {
            seen.add(b.sampleIndex(r));
            values.add(b.value(r, 0));
            values.add(b.value(r, 1));
        }
    }
}
