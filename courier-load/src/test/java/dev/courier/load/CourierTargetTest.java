package dev.courier.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.client.ClientConfig;
import dev.courier.server.CourierServer;
import dev.courier.server.ServerConfig;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.TestServers;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link CourierTarget} driven by the {@link LoadEngine} against real servers on loopback. */
class CourierTargetTest {
    private static LoadEngine.Spec closedLoop(long durationMillis) {
        return new LoadEngine.Spec(2, 4, TimeUnit.MILLISECONDS.toNanos(durationMillis), 0, 0, 5_000);
    }

    private static ClientConfig at(CourierServer server) {
        return ClientConfig.parse("127.0.0.1:" + server.localAddress().getPort()).withRequestTimeoutMillis(4_000);
    }

    @Test
    void everyAnswerOfTheServerOfTheSameDataIsCorrect() throws Exception {
        try (CourierServer server = TestServers.start();
             CourierTarget target = new CourierTarget(at(server), PointData.load(CsvTruth.dataDir(), null), 1)) {
            LoadEngine.Result r = LoadEngine.run(target, closedLoop(300));
            assertThat(r.requests()).isPositive();
            assertThat(r.errors()).as(r.firstProblem()).isZero();
            assertThat(r.latencyNanos().getTotalCount()).isEqualTo(r.requests());
            assertThat(r.requestsPerSecond()).isPositive();
            assertThat(target.describe()).contains("POINT of 15 records x 15000 samples, channel 1");
        }
    }

    @Test
    void answersOfAServerWithOtherDataAreWrong(@TempDir Path other) throws Exception {
        EcgDataSet.write(other, new EcgDataSet.Spec(2, 2_500, 250, 1), 1);
        try (CourierServer impostor = CourierServer.start(ServerConfig.of(new InetSocketAddress("127.0.0.1", 0),
                other, other));
             CourierTarget target = new CourierTarget(at(impostor),
                     PointData.load(CsvTruth.dataDir(), List.of("1", "2")), 1)) {
            LoadEngine.Result r = LoadEngine.run(target, closedLoop(200));
            assertThat(r.wrong()).isPositive();
            assertThat(r.errors()).isEqualTo(r.wrong() + r.failed());
            assertThat(r.firstProblem()).containsPattern("record [12] sample [0-9]+: expected");
        }
    }

    @Test
    void aChannelSomeRecordLacksIsRefusedBeforeConnecting() throws Exception {
        PointData data = PointData.load(CsvTruth.dataDir(), List.of("1"));
        assertThatThrownBy(() -> new CourierTarget(ClientConfig.parse("127.0.0.1:1"), data, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("record 1 has channels 1 to 2, not 3");
    }
}
