package dev.courier.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.protocol.ErrorCode;
import dev.courier.server.CourierServer;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.TestServers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Point values over a real connection, checked against the CSV files read by the test itself. */
class PointValuesTest {
    static CourierServer server;
    static CourierClient client;
    static CsvTruth truth;

    @BeforeAll
    static void start() throws Exception {
        server = TestServers.start();
        client = new CourierClient(ClientConfig.of("127.0.0.1", server.localAddress().getPort()));
        truth = CsvTruth.load();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void pipelinedRandomPointsMatchTheFiles(long seed) {
        Random random = new Random(seed);
        List<String> records = truth.records();
        int n = 20_000;
        String[] record = new String[n];
        int[] index = new int[n];
        int[] channel = new int[n];
        List<CompletableFuture<Point>> replies = new ArrayList<>(n);
        try (Connection c = client.open()) {
            for (int i = 0; i < n; i++) {
                record[i] = records.get(random.nextInt(records.size()));
                index[i] = random.nextInt(truth.samples(record[i]));
                channel[i] = 1 + random.nextInt(2);
                // Ask off-grid, up to 0.49 of a sample away, so rounding is exercised too.
                double jitter = (random.nextDouble() - 0.5) * 0.98 * 0.004;
                double time = Double.parseDouble(truth.timeText(record[i], index[i])) + jitter;
                replies.add(c.point(record[i], Math.max(0, time), channel[i]));
            }
            for (int i = 0; i < n; i++) {
                Point r = replies.get(i).join();
                assertThat(r.sampleIndex()).isEqualTo(index[i]);
                assertThat(r.value()).isEqualTo(truth.value(record[i], index[i], channel[i]));
                assertThat(r.sampleTimeSeconds()).isEqualTo(Double.parseDouble(truth.timeText(record[i], index[i])));
            }
        }
    }

    @Test
    void batchOfAWholeRecordMatchesTheFile() {
        try (Connection c = client.open()) {
            for (String record : List.of("1", "9", "15")) {
                double[] times = new double[truth.samples(record)];
                for (int i = 0; i < times.length; i++) {
                    times[i] = Double.parseDouble(truth.timeText(record, i));
                }
                PointBatch reply = c.points(record, 2, times).join();
                assertThat(reply.size()).isEqualTo(times.length);
                for (int i = 0; i < times.length; i++) {
                    assertThat(reply.sampleIndexes()[i]).isEqualTo(i);
                    assertThat(reply.values()[i]).isEqualTo(truth.value(record, i, 2));
                }
            }
        }
    }

    @Test
    void typedErrorsReachTheCallerAndTheConnectionGoesOn() {
        try (Connection c = client.open()) {
            assertThatThrownBy(() -> c.point("nope", 0, 1).join())
                    .cause().isInstanceOfSatisfying(CourierException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_RECORD));
            assertThatThrownBy(() -> c.point("1", 0, 9).join())
                    .cause().isInstanceOfSatisfying(CourierException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_CHANNEL));
            assertThatThrownBy(() -> c.point("1", 600, 1).join())
                    .cause().isInstanceOfSatisfying(CourierException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.TIME_OUT_OF_RANGE));
            assertThat(c.point("4", 0.02, 1).join().value()).isEqualTo(truth.value("4", 5, 1));
            assertThat(c.ping(77).join()).isEqualTo(77L);
        }
    }

    @Test
    void handshakeAnnouncesTheServersLimits() {
        try (Connection c = client.open()) {
            assertThat(c.limits().version()).isEqualTo(1);
            assertThat(c.limits().maxChunkBytes()).isEqualTo(server.config().maxChunkBytes());
            assertThat(c.limits().maxFrameBytes()).isEqualTo(server.config().maxFrameBytes());
        }
    }

    @Test
    void unreachableServerIsAConnectionFailure() {
        int port = server.localAddress().getPort();
        try (CourierClient nowhere = new CourierClient(ClientConfig.of("127.0.0.1", freePort()))) {
            assertThatThrownBy(nowhere::open).isInstanceOfSatisfying(CourierException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.CONNECTION_FAILED));
        }
        assertThat(port).isPositive();
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
