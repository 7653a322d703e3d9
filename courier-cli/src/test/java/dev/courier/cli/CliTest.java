package dev.courier.cli;

import static dev.courier.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.cli.common.ExitCodes;
import dev.courier.server.CourierServer;
import dev.courier.server.testing.CsvTruth;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands as a user runs them, against a real server: output, and exit codes with one-line errors. */
class CliTest extends BundledServerTest {
    @Test
    void pointPrintsValueThenIndexThenTime() {
        CliRun r = run("point", "--server", address, "3", "0.008", "1");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out().strip()).isEqualTo(truth.value("3", 2, 1) + " 2 0.008");
        CliRun second = run("point", "-s", address, "15", "59.9", "2");
        assertThat(second.out().strip()).isEqualTo(truth.value("15", 14975, 2) + " 14975 59.9");
    }

    @Test
    void typedErrorsExitOneWithOneLineOnStderr() {
        CliRun r = run("point", "--server", address, "16", "0", "1");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(r.err()).startsWith("courier: UNKNOWN_RECORD: ").hasLineCount(1);
        assertThat(run("point", "--server", address, "1", "70", "1").err()).startsWith("courier: TIME_OUT_OF_RANGE");
        assertThat(run("point", "--server", address, "1", "1", "3").err()).startsWith("courier: UNKNOWN_CHANNEL");
        CliRun missing = run("get", "--server", address, "nope.csv");
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(missing.err()).startsWith("courier: NOT_FOUND: ").hasLineCount(1);
    }

    @Test
    void everyClientCommandFailsWithinTwoSecondsWithExitThreeWhereNothingListens() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String nowhere = "127.0.0.1:" + port;
        Path upload = Files.writeString(Files.createTempFile("courier-cli", ".txt"), "abc");
        try {
            for (String[] command : new String[][] {{"point", "1", "0", "1"}, {"points", "--count", "10"},
                {"ls"}, {"records"}, {"range", "1", "0", "1"}, {"get", "--discard", "1.csv"},
                {"put", upload.toString()}}) {
                List<String> args = new ArrayList<>(List.of(command));
                args.addAll(List.of("--server", nowhere));
                long start = System.nanoTime();
                CliRun r = run(args.toArray(String[]::new));
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertThat(r.exitCode()).as(command[0] + ": " + r.err()).isEqualTo(ExitCodes.UNREACHABLE);
                assertThat(r.err()).as(command[0]).contains("connection refused").hasLineCount(1);
                // curl's habit: a server that is not there is said at once, not after the stall timeout (60 s).
                assertThat(millis).as(command[0]).isLessThan(2_000);
            }
        } finally {
            Files.delete(upload);
        }
    }

    @Test
    void aPeerThatIsNotACourierServerIsNamedAsSuch() throws Exception {
        try (ServerSocket http = new ServerSocket(0)) {
            // An HTTP server on the port: it reads the HELLO as a bad request and answers in HTTP.
            Thread.ofVirtual().start(() -> {
                try (Socket s = http.accept()) {
                    s.getInputStream().read(new byte[64]);
                    s.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                } catch (IOException ignored) {
                    // the test fails on what the client says
                }
            });
            String where = "127.0.0.1:" + http.getLocalPort();
            CliRun r = run("point", "--server", where, "1", "0", "1");
            assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.UNREACHABLE);
            assertThat(r.err()).startsWith("courier: CONNECTION_FAILED: not a Courier server at " + where)
                    .hasLineCount(1);
        }
    }

    @Test
    void versionNamesTheCommitTheBuildCameFromAndTheJava() throws Exception {
        CliRun r = run("--version");
        assertThat(r.exitCode()).isZero();
        String[] lines = r.out().strip().split("\\R");
        assertThat(lines).hasSize(2);
        assertThat(lines[1]).startsWith("Java " + Runtime.version() + " (");
        // The commit as git itself names it, where the build ran in a checkout (CI clones one).
        Process git = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
        String head = new String(git.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        if (git.waitFor() == 0) {
            assertThat(lines[0]).matches("courier \\S+ \\(commit [0-9a-f]{7,}(-dirty)?, \\S+\\)");
            String commit = lines[0].replaceFirst(".*\\(commit ([0-9a-f]+).*", "$1");
            assertThat(head).startsWith(commit);
        } else {
            assertThat(lines[0]).endsWith("(commit unknown)");
        }
    }

    @Test
    void badArgumentsExitTwo() {
        assertThat(run("point", "--server", address, "1", "soon", "1").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run("point", "1").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run("frobnicate").exitCode()).isEqualTo(ExitCodes.USAGE);
        CliRun badServer = run("point", "--server", "127.0.0.1:http", "1", "0", "1");
        assertThat(badServer.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(badServer.err()).contains("bad port");
    }

    @Test
    void serveRefusesUploadLimitsBelowTheirMinimumBeforeItStarts() {
        for (String[] bad : new String[][] {{"--max-uploads", "0"}, {"--max-uploads-per-connection", "0"},
            {"--max-upload-bytes", "0"}, {"--upload-idle-close-ms", "0"},
            {"--upload-expiry-ms", "0"}}) {
            CliRun r = run("serve", "--port", "0", bad[0], bad[1]);
            assertThat(r.exitCode()).as(String.join(" ", bad)).isEqualTo(ExitCodes.USAGE);
            assertThat(r.err()).contains("--upload-min-free-bytes at least 0");
        }
    }

    @Test
    void serveRefusesAChunkCapBelowAPage() {
        CliRun r = run("serve", "--port", "0", "--max-chunk", "4095");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--max-chunk must be at least 4096 bytes");
    }

    @Test
    void unreachableServerExitsThree() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        CliRun r = run("point", "--server", "127.0.0.1:" + port, "1", "0", "1");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(r.err()).startsWith("courier: CONNECTION_FAILED: ").hasLineCount(1);
    }

    @Test
    void pointsJsonHasTheHistogramsOfTheFiles() {
        CliRun r = run("points", "--server", address, "--records", "1-3,15", "--count", "15000", "--channel", "2",
                "--connections", "8", "--json");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("{\"requests\": 60000, \"seconds\": ");
        for (String record : new String[] {"1", "2", "3", "15"}) {
            long[] h = truth.histogram(record, 15000, 2);
            StringBuilder expected = new StringBuilder("\"" + record + "\": {\"count\": 15000, \"histogram\": [");
            for (int i = 0; i < h.length; i++) {
                expected.append(i == 0 ? "" : ", ").append(h[i]);
            }
            assertThat(r.out()).contains(expected.append("]}"));
        }
    }

    @Test
    void pointsTableHasARowPerBinAndATotal() {
        CliRun r = run("points", "--server", address, "--records", "4,5", "--count", "1000");
        assertThat(r.exitCode()).isZero();
        String[] lines = r.out().split("\n");
        assertThat(lines).hasSize(1 + 10 + 1 + 1);
        assertThat(lines[0].split("\\s+")).containsExactly("bin", "4", "5");
        long[] h4 = truth.histogram("4", 1000, 1);
        for (int bin = 0; bin < 10; bin++) {
            String[] cells = lines[1 + bin].trim().split("\\s+");
            assertThat(Long.parseLong(cells[cells.length - 2])).isEqualTo(h4[bin]);
        }
        assertThat(lines[11].split("\\s+")).containsExactly("total", "1000", "1000");
        assertThat(lines[12]).matches("requests: 2000  seconds: [0-9.]+  requests/s: [0-9]+");
    }

    @Test
    void lsAndGetWorkOnTheServedFiles(@TempDir Path dest) throws Exception {
        CliRun ls = run("ls", "--server", address);
        assertThat(ls.exitCode()).isZero();
        assertThat(ls.out()).contains(Files.size(CsvTruth.dataDir().resolve("7.csv")) + "  ").contains(" 7.csv\n");
        CliRun get = run("get", "--server", address, "7.csv", "-o", dest.toString(), "--connections", "3",
                "--chunk-size", "10000");
        assertThat(get.exitCode()).isZero();
        assertThat(Files.mismatch(CsvTruth.dataDir().resolve("7.csv"), dest.resolve("7.csv"))).isEqualTo(-1);
        assertThat(get.err()).isEmpty(); // no progress bar when stderr is not a terminal
    }

    @Test
    void demoRunsEndToEndAndStops() {
        CliRun r = run("demo", "--data", CsvTruth.dataDir().toString(), "--count", "2000", "--connections", "20");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("points: 15 records x 2000 samples");
        Matcher files = Pattern.compile("files: (\\d+) downloaded and verified").matcher(r.out());
        assertThat(files.find()).isTrue();
        assertThat(Integer.parseInt(files.group(1))).isGreaterThanOrEqualTo(15);
        assertThat(r.out()).contains("demo: done, server stopped");
        assertThat(r.out()).containsPattern("\ntotal +2000( +2000){14}\n");
    }
}
