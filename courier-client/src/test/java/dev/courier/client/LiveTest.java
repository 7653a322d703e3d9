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
