package dev.courier.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.client.Backoff;
import dev.courier.client.ClientConfig;
import dev.courier.client.CourierClient;
import dev.courier.client.DownloadOptions;
import dev.courier.client.DownloadProgress;
import dev.courier.client.DownloadResult;
import dev.courier.client.Downloader;
import dev.courier.server.CourierServer;
import dev.courier.server.testing.TestFiles;
import dev.courier.server.testing.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads through a proxy that cuts every connection, or damages chunks, still arrive byte for byte. */
class NetworkFaultsTest {
    static final long SIZE = 256L << 20;

    @TempDir
    static Path served;
    static CourierServer server;
    static String expectedSha;

    @BeforeAll
    static void start() throws Exception {
        TestFiles.random(served.resolve("big.bin"), SIZE, 256);
        expectedSha = TestFiles.sha256(served.resolve("big.bin"));
        server = TestServers.start(served);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void downloadSurvivesConnectionsCutEveryFewHundredMilliseconds(@TempDir Path dest) throws Exception {
        try (ChaosProxy proxy = new ChaosProxy(server.localAddress(), 0);
             CourierClient client = new CourierClient(ClientConfig.of("127.0.0.1", proxy.port()))) {
            proxy.cutEvery(300);
            DownloadOptions options = DownloadOptions.defaults().withConnections(4).withStallTimeoutMillis(30_000)
                    .withBackoff(new Backoff(10, 200));
            DownloadResult r = new Downloader(client, options, DownloadProgress.NONE).download("big.bin", dest);
            assertThat(proxy.cuts.get()).as("connections were cut during the download").isGreaterThan(0);
            assertThat(TestFiles.sha256(r.path())).isEqualTo(expectedSha);
            assertThat(r.sizeBytes()).isEqualTo(SIZE);
        }
    }

    @Test
    void damagedChunksAreDetectedAndFetchedAgain(@TempDir Path dest) throws Exception {
        List<String> notes = new CopyOnWriteArrayList<>();
        DownloadProgress progress = new DownloadProgress() {
            @Override
            public void advanced(long doneBytes, long totalBytes) {
            }

            @Override
            public void note(String message) {
                notes.add(message);
            }
        };
        try (ChaosProxy proxy = new ChaosProxy(server.localAddress(), 7);
             CourierClient client = new CourierClient(ClientConfig.of("127.0.0.1", proxy.port()))) {
            DownloadResult r = new Downloader(client, DownloadOptions.defaults(), progress)
                    .download("big.bin", dest);
            assertThat(proxy.corrupted.get()).isGreaterThan(10);
            assertThat(r.retries()).isGreaterThanOrEqualTo(proxy.corrupted.get());
            assertThat(notes).anyMatch(n -> n.contains("CRC32C mismatch"));
            assertThat(TestFiles.sha256(r.path())).isEqualTo(expectedSha);
        }
        try (var left = Files.list(dest)) {
            assertThat(left).containsExactly(dest.resolve("big.bin")); // no part file, no journal
        }
    }
}
