package dev.courier.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.client.ClientConfig;
import dev.courier.client.DownloadOptions;
import dev.courier.server.CourierServer;
import dev.courier.server.testing.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FileBench}: repeated downloads from a real server, every copy checked. */
class FileBenchTest {
    private static final DownloadOptions TWO_BY_64K = DownloadOptions.defaults().withConnections(2)
            .withChunkBytes(65_536);

    @Test
    void everyCopyIsCheckedAgainstTheOriginalOrTheFirstAndDeleted(@TempDir Path root, @TempDir Path copies)
            throws Exception {
        byte[] data = new byte[3 << 20];
        new Random(5).nextBytes(data);
        Path blob = Files.write(root.resolve("blob.bin"), data);
        Files.write(root.resolve("other.bin"), new byte[] {1, 2, 3});
        try (CourierServer server = TestServers.start(root)) {
            ClientConfig config = ClientConfig.parse("127.0.0.1:" + server.localAddress().getPort());

            FileBench.Result r = FileBench.run(config, new FileBench.Spec("blob.bin", 3, TWO_BY_64K, blob, copies));
            assertThat(r.verified()).as(r.mismatch()).isTrue();
            assertThat(r.copies()).isEqualTo(3);
            assertThat(r.sizeBytes()).isEqualTo(data.length);
            assertThat(r.totalBytes()).isEqualTo(3L * data.length);
            assertThat(r.connections()).isEqualTo(2);
            assertThat(r.chunkBytes()).isEqualTo(65_536);
            assertThat(r.chunks()).isEqualTo(3 * 48);
            assertThat(r.chunkPercentileMicros(50)).isPositive().isLessThanOrEqualTo(r.chunkMaxMicros());
            assertThat(r.megabytesPerSecond()).isPositive();
            assertThat(r.medianNanos()).isPositive().isLessThanOrEqualTo(r.totalNanos());
            try (Stream<Path> left = Files.list(copies)) {
                assertThat(left).isEmpty();
            }

            FileBench.Result againstFirst = FileBench.run(config, new FileBench.Spec("blob.bin", 2,
                    DownloadOptions.defaults(), null, null));
            assertThat(againstFirst.verified()).isTrue();

            FileBench.Result mismatch = FileBench.run(config, new FileBench.Spec("blob.bin", 1, TWO_BY_64K,
                    root.resolve("other.bin"), null));
            assertThat(mismatch.verified()).isFalse();
            assertThat(mismatch.mismatch()).startsWith("copy 1 has SHA-256 ").endsWith("(of " + root.resolve(
                    "other.bin") + ")");
        }
    }

    @Test
    void discardWritesNothingAndTrustsTheDownloadersChecks(@TempDir Path root, @TempDir Path copies)
            throws Exception {
        byte[] data = new byte[1 << 20];
        new Random(6).nextBytes(data);
        Files.write(root.resolve("blob.bin"), data);
        try (CourierServer server = TestServers.start(root)) {
            FileBench.Result r = FileBench.run(ClientConfig.parse("127.0.0.1:" + server.localAddress().getPort()),
                    new FileBench.Spec("blob.bin", 2, TWO_BY_64K.withDiscard(true), root.resolve("absent"), copies));
            assertThat(r.verified()).isTrue();
            assertThat(r.totalBytes()).isEqualTo(2L * data.length);
            try (Stream<Path> left = Files.list(copies)) {
                assertThat(left).isEmpty();
            }
        }
    }
}
