package dev.courier.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.client.ClientConfig;
import dev.courier.server.CourierServer;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.TestServers;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link Soak} against a healthy server: everything verified, nothing failed, recovery times readable. */
class SoakTest {
    @Test
    void aHealthyServerAnswersEveryPointAndDownloadCorrectly() throws Exception {
        try (CourierServer server = TestServers.start()) {
            ClientConfig config = ClientConfig.parse("127.0.0.1:" + server.localAddress().getPort());
            Soak.Result r = Soak.run(new Soak.Spec(config, CsvTruth.dataDir(), CsvTruth.dataDir(), 1, 10_000, 1));
            assertThat(r.points().ok()).isPositive();
            assertThat(r.points().failed()).isZero();
            assertThat(r.points().wrong()).isZero();
            assertThat(r.downloads().ok()).isPositive();
            assertThat(r.downloads().failed()).isZero();
            assertThat(r.downloads().wrong()).isZero();
            // Operations started right after the start succeeded within the run; none started after it.
            assertThat(r.recoveredMillis(r.startEpochMillis())).isPresent();
            assertThat(r.recoveredMillis(r.startEpochMillis()).getAsLong()).isBetween(0L, 10_000L);
            assertThat(r.recoveredMillis(r.startEpochMillis() + TimeUnit.MINUTES.toMillis(10))).isEmpty();
        }
    }

    @Test
    void aNegativeDurationIsRefused() {
        assertThatThrownBy(() -> new Soak.Spec(ClientConfig.parse("127.0.0.1:1"), CsvTruth.dataDir(),
                CsvTruth.dataDir(), -1, 10_000, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
