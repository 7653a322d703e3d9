package dev.courier.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.server.testing.CsvTruth;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A client command's {@code --log-level}, through real {@code courier} processes on the installed class path (the
 * CLI's own logging set-up, not the tests' {@code logback-test.xml}): quiet by default, a logger's debug lines on
 * stderr in the server's format when asked, standard output the same either way, and a level that is not one
 * refused with exit 2 naming the option.
 */
class ClientLogLevelProcessTest {
    private static final String ISO_LINE = "err: \\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:\\d{2}) ";

    private static List<String> tagged(List<String> output, String tag) {
        return output.stream().filter(l -> l.startsWith(tag)).toList();
    }

    @Test
    void aClientCommandLogsAtTheLevelItIsGivenOnStderrOnly() throws Exception {
        try (CourierProcess server = CourierProcess.server("--port", "0", "--data", CsvTruth.dataDir().toString())) {
            String address = "127.0.0.1:" + ProcessFaultsTest.portOf(server);
            List<String> point = List.of("point", "-s", address, "3", "0.008", "1");

            CourierProcess quiet = CourierProcess.startProduction(point.toArray(String[]::new));
            assertThat(quiet.waitFor(60)).as(String.join("\n", quiet.output())).isZero();
            assertThat(tagged(quiet.output(), "err: ")).as("nothing logged at the default level").isEmpty();
            assertThat(tagged(quiet.output(), "out: ")).hasSize(1);

            CourierProcess debug = CourierProcess.startProduction(point.get(0), point.get(1), point.get(2),
                    "--log-level", "io.netty=debug", point.get(3), point.get(4), point.get(5));
            assertThat(debug.waitFor(60)).as(String.join("\n", debug.output())).isZero();
            assertThat(tagged(debug.output(), "out: ")).as("the answer, unchanged by the logging")
                    .isEqualTo(tagged(quiet.output(), "out: "));
            assertThat(tagged(debug.output(), "err: ")).as("Netty's debug lines, in the server's format")
                    .anyMatch(l -> l.matches(ISO_LINE + "DEBUG .*"));

            CourierProcess off = CourierProcess.startProduction(point.get(0), point.get(1), point.get(2),
                    "--log-level", "io.netty=debug", "--log-level", "io.netty=off", point.get(3), point.get(4),
                    point.get(5));
            assertThat(off.waitFor(60)).isZero();
            assertThat(tagged(off.output(), "err: ")).as("the last of several levels wins").isEmpty();
        }
    }

    @Test
    void aBadClientLogLevelIsRefusedNamingTheOption() throws Exception {
        try (CourierProcess bad = CourierProcess.startProduction("point", "-s", "127.0.0.1:9", "--log-level", "loud",
                "3", "0.008", "1")) {
            assertThat(bad.waitFor(60)).isEqualTo(2);
            assertThat(String.join("\n", bad.output())).contains("--log-level: 'loud' is not a log level");
        }
    }
}
