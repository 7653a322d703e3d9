package dev.courier.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.server.testing.CsvTruth;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code courier serve --config FILE} as a real process: the file's keys are serve's long options, an option on the
 * command line wins over the file's, and a bad key or value is refused naming the file and the line.
 */
class ConfigFileProcessTest {
    @Test
    void theFileSetsOptionsAndTheCommandLineWins(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("courier.conf");
        Files.writeString(conf, """
                # a test server
                data = %s
                port = 1            # overridden by --port 0 below: port 1 is never bound
                legacy-port = 0
                metrics = 127.0.0.1:0
                reuse-port = false
                """.formatted(CsvTruth.dataDir()));
        try (CourierProcess server = CourierProcess.server("--config", conf.toString(), "--port", "0")) {
            String serving = server.output().stream().filter(l -> l.startsWith("out: courier: serving")).findFirst()
                    .orElseThrow();
            assertThat(serving).contains("from " + CsvTruth.dataDir()).contains(", legacy protocol on 127.0.0.1:")
                    .contains(", operations HTTP on 127.0.0.1:");
            assertThat(ProcessFaultsTest.portOf(server)).isNotEqualTo(1).isPositive();
        }
    }

    @Test
    void anUnknownKeyOrABadValueNamesTheFileAndLine(@TempDir Path dir) throws Exception {
        Path unknown = dir.resolve("unknown.conf");
        Files.writeString(unknown, "port = 0\n\n# colours\ncolour = blue\n");
        try (CourierProcess bad = CourierProcess.start("serve", "--config", unknown.toString())) {
            assertThat(bad.waitFor(60)).isEqualTo(2);
            assertThat(String.join("\n", bad.output())).contains(unknown + ":4: unknown key 'colour'");
        }
        Path value = dir.resolve("value.conf");
        Files.writeString(value, "port = seventy\n");
        try (CourierProcess bad = CourierProcess.start("serve", "--config", value.toString())) {
            assertThat(bad.waitFor(60)).isEqualTo(2);
            assertThat(String.join("\n", bad.output())).contains(value + ":1: ").contains("--port")
                    .contains("seventy");
        }
    }
}
