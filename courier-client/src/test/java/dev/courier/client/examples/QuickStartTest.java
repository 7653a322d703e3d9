package dev.courier.client.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.server.CourierServer;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.TestServers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The library example runs against a real server and sees what is there; the README quotes it word for word. */
class QuickStartTest {
    @Test
    void theExampleFetchesPointsARangeADownloadAndUploads(@TempDir Path downloads, @TempDir Path uploads,
                                                          @TempDir Path local) throws Exception {
        byte[] bytes = new byte[100_000];
        new Random(8).nextBytes(bytes);
        Path upload = Files.write(local.resolve("mine.bin"), bytes);
        CsvTruth truth = CsvTruth.load();
        try (CourierServer server = CourierServer.start(TestServers.withUploads(CsvTruth.dataDir(), uploads))) {
            QuickStart.Seen seen = QuickStart.run("127.0.0.1:" + server.localAddress().getPort(), downloads, upload);
            assertThat(seen.point().value()).isEqualTo(truth.value("3", 2, 1));
            assertThat(seen.batch().size()).isEqualTo(3);
            double sum = 0;
            for (int i = 0; i < 1000; i += 10) {
                sum += truth.value("3", i, 1);
            }
            assertThat(seen.rangeRows()).isEqualTo(100);
            assertThat(seen.rangeSum()).isEqualTo(sum);
            assertThat(Files.mismatch(seen.download().path(), CsvTruth.dataDir().resolve("7.csv"))).isEqualTo(-1);
            assertThat(Files.readAllBytes(uploads.resolve("mine.bin"))).isEqualTo(bytes);
            assertThat(seen.upload().sha256Hex())
                    .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        }
    }

    @Test
    void theReadmeQuotesTheExampleAsItIs() throws Exception {
        String source = Files.readString(Path.of("src/test/java/dev/courier/client/examples/QuickStart.java"),
                StandardCharsets.UTF_8);
        int begin = source.indexOf("// README:begin\n") + "// README:begin\n".length();
        int end = source.indexOf("// README:end");
        String excerpt = source.substring(begin, end);
        String readme = Files.readString(Path.of("../README.md"), StandardCharsets.UTF_8);
        assertThat(readme).as("README.md quotes QuickStart.java between its README markers; copy it again")
                .contains("```java\n" + excerpt + "```\n");
    }
}
