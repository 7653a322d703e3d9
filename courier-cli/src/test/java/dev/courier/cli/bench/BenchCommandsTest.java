package dev.courier.cli.bench;

import static dev.courier.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.cli.CliRun;
import dev.courier.cli.common.ExitCodes;
import dev.courier.server.CourierServer;
import dev.courier.server.ServerConfig;
import dev.courier.server.points.CsvRecordingLoader;
import dev.courier.server.points.Recording;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.TestServers;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code courier bench}, {@code gen-data} and {@code get --discard} against real servers on loopback: the commands'
 * options, output and exit codes. The engines themselves are tested in courier-load.
 */
class BenchCommandsTest {
    static CourierServer server;
    static String address;

    @BeforeAll
    static void start() throws Exception {
        server = TestServers.start();
        address = "127.0.0.1:" + server.localAddress().getPort();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static void assertOneJsonObject(CliRun r, String... fields) {
        assertThat(r.out().strip()).startsWith("{").endsWith("}").doesNotContain("\n");
        for (String f : fields) {
            assertThat(r.out()).contains("\"" + f + "\": ");
        }
    }

    @Test
    void connectionsAreHeldOverSeveralSourceAddressesAndEveryOneIsVerified() {
        CliRun r = run("bench", "connections", "--server", address, "--data", CsvTruth.dataDir().toString(),
                "--target", "300", "--source-addresses", "127.0.1.1-127.0.1.3", "--hold", "0.3",
                "--recheck-every", "0.1", "--sample", "50", "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertOneJsonObject(r, "established", "held", "verified", "errors", "establish_s");
        assertThat(r.number("established")).isEqualTo(300);
        assertThat(r.number("held")).isEqualTo(300);
        assertThat(r.number("verified")).isEqualTo(300);
        assertThat(r.number("errors")).isZero();
        assertThat(r.number("rechecks")).isPositive();
    }

    @Test
    void aFinalCheckOutOfTimeCountsWhatItDidNotAskAsUncheckedNotAsErrors(@TempDir Path dir) throws Exception {
        Path stop = Files.writeString(dir.resolve("stop"), "0\n"); // no time at all for the final check
        CliRun r = run("bench", "connections", "--server", address, "--data", CsvTruth.dataDir().toString(),
                "--target", "200", "--hold", "30", "--stop-file", stop.toString(), "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.number("held")).isEqualTo(200);
        assertThat(r.number("unchecked")).isEqualTo(200);
        assertThat(r.number("verified")).isZero();
        assertThat(r.number("errors")).isZero();

        Files.writeString(stop, "60000");
        CliRun all = run("bench", "connections", "--server", address, "--data", CsvTruth.dataDir().toString(),
                "--target", "200", "--hold", "30", "--stop-file", stop.toString(), "--json");
        assertThat(all.number("verified")).isEqualTo(200);
        assertThat(all.number("unchecked")).isZero();
    }

    /** {@code bench connections ARGS} against a server of its own that holds at most {@code maxConnections}. */
    static CliRun connectionsToServerHolding(int maxConnections, String... args) throws Exception {
        try (CourierServer limited = CourierServer.start(TestServers.config(CsvTruth.dataDir()).toBuilder()
                .maxConnections(maxConnections).build())) {
            List<String> all = new ArrayList<>(List.of("bench", "connections", "--server",
                    "127.0.0.1:" + limited.localAddress().getPort(), "--data", CsvTruth.dataDir().toString(),
                    "--hold", "0", "--json"));
            all.addAll(List.of(args));
            return run(all.toArray(String[]::new));
        }
    }

    @Test
    void aWarmUpOpensVerifiesAndClosesItsConnectionsBeforeTheHeldOnes() throws Exception {
        // 50 warm-up connections and then 50 held ones fit under a limit of 60 only if the first 50 were closed
        // (the server may see the last closes after the first new connections: those are retried).
        CliRun r = connectionsToServerHolding(60, "--target", "50", "--warmup", "50");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("warmed up: 50 connections opened, verified twice and closed");
        assertThat(r.number("verified")).isEqualTo(50);
        assertThat(r.number("errors")).isZero();
    }

    @Test
    void aWarmUpThatCannotConnectFailsTheRunBeforeItStarts() throws Exception {
        CliRun r = connectionsToServerHolding(3, "--target", "2", "--warmup", "5", "--retries", "0");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(r.err()).contains("the warm-up failed: 2 of 5 connections were not verified")
                .contains("TOO_MANY_CONNECTIONS");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void connectionsRefusedByAFullServerAreRetriedAndCountedAsErrorsWhenTheyNeverGetIn() throws Exception {
        CliRun r = connectionsToServerHolding(20, "--target", "25", "--retries", "2");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(r.number("verified")).isEqualTo(20);
        assertThat(r.number("errors")).isEqualTo(5);
        assertThat(r.number("refused")).isEqualTo(15); // five connections, three attempts each
        assertThat(r.err()).contains("TOO_MANY_CONNECTIONS");
    }

    @Test
    void closedLoopAgainstCourierCountsRequestsWithoutErrors() {
        CliRun r = run("bench", "points", "--server", address, "--data", CsvTruth.dataDir().toString(),
                "--connections", "4", "--pipeline", "8", "--duration", "1", "--warmup", "0.2", "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertOneJsonObject(r, "requests", "errors", "requests_per_second", "p50_us", "p99_us", "p999_us");
        assertThat(r.number("requests")).isGreaterThan(0);
        assertThat(r.number("errors")).isZero();
        assertThat(r.number("requests_per_second")).isGreaterThan(0);
        assertThat(r.number("p50_us")).isPositive().isLessThanOrEqualTo(r.number("p99_us"));
        assertThat(r.number("p99_us")).isLessThanOrEqualTo(r.number("p999_us"));
        assertThat(r.out()).contains("\"mode\": \"closed\"");
    }

    @Test
    void openLoopSendsAtTheRequestedRateAndRecordsLatencies() {
        CliRun r = run("bench", "points", "--server", address, "--connections", "2", "--pipeline", "16",
                "--duration", "1", "--warmup", "0.2", "--rate", "2000", "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("\"mode\": \"open\"");
        // 2000 requests/s for 1 s; generous bounds for a busy machine.
        assertThat(r.number("requests")).isBetween(1000.0, 2600.0);
        assertThat(r.number("errors")).isZero();
        assertThat(r.number("p50_us")).isPositive();
        assertThat(r.number("max_us")).isGreaterThanOrEqualTo(r.number("p999_us"));
    }

    @Test
    void textReportNamesRateAndPercentiles() {
        CliRun r = run("bench", "points", "--server", address, "-c", "1", "-P", "1", "--duration", "0.3",
                "--warmup", "0");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("closed loop, 1 connections x 1 in flight")
                .containsPattern("requests: [1-9][0-9]*  errors: 0 \\(wrong 0, failed 0\\)  requests/s: [0-9]+")
                .containsPattern("p50 [0-9.]+ us  p90 [0-9.]+ us  p99 [0-9.]+ us  p99.9 [0-9.]+ us  max");
    }

    @Test
    void wrongAnswersFromAServerWithOtherDataAreErrors(@TempDir Path other) throws Exception {
        assertThat(run("gen-data", "--records", "2", "--seconds", "60", "--out", other.toString()).exitCode())
                .isZero();
        try (CourierServer impostor = CourierServer.start(ServerConfig.of(new InetSocketAddress("127.0.0.1", 0),
                other, other))) {
            CliRun r = run("bench", "points", "--server", "127.0.0.1:" + impostor.localAddress().getPort(),
                    "--records", "1,2", "-c", "2", "-P", "4", "--duration", "0.5", "--warmup", "0", "--json");
            assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILED);
            assertThat(r.number("wrong")).isPositive();
            assertThat(r.number("errors")).isEqualTo(r.number("wrong") + r.number("failed"));
            assertThat(r.out()).containsPattern("\"first_error\": \"record [12] sample [0-9]+: expected");
            assertThat(r.err()).startsWith("courier: ").contains("answers were wrong or failed").hasLineCount(1);
        }
    }

    @Test
    void rowsSpreadOverTheRecordsAreAskedForAndCheckedAtTheirSampleIndex(@TempDir Path big) throws Exception {
        assertThat(run("gen-data", "--records", "2", "--seconds", "120", "--out", big.toString()).exitCode())
                .isZero();
        try (CourierServer server = CourierServer.start(ServerConfig.of(new InetSocketAddress("127.0.0.1", 0),
                big, big))) {
            CliRun r = run("bench", "points", "--server", "127.0.0.1:" + server.localAddress().getPort(),
                    "--data", big.toString(), "--rows", "40", "-c", "2", "-P", "4", "--duration", "0.5",
                    "--warmup", "0", "--json");
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.number("requests")).isPositive();
            assertThat(r.number("errors")).isZero();
        }
    }

    @Test
    void unknownRecordsFailInsteadOfCountingAsAnswers(@TempDir Path other) throws Exception {
        assertThat(run("gen-data", "--records", "1", "--seconds", "4", "--out", other.toString()).exitCode()).isZero();
        CliRun r = run("bench", "points", "--server", address, "--data", other.toString(), "-c", "1", "-P", "2",
                "--duration", "0.3", "--warmup", "0", "--json");
        // Record 1 of the generated set has 1000 samples; the server's record 1 has other values.
        assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(r.number("errors")).isPositive();
    }

    @Test
    void unreachableRedisIsAOneLineError() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        CliRun r = run("bench", "points", "--redis", "127.0.0.1:" + port, "--duration", "0.2");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(r.err()).startsWith("courier: cannot connect to redis at 127.0.0.1:" + port).hasLineCount(1);
    }

    @Test
    void genDataLoadsInTheServerWithTheRequestedShape(@TempDir Path dir) throws Exception {
        CliRun r = run("gen-data", "--records", "3", "--seconds", "2.5", "--rate", "250", "--out", dir.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("gen-data: 3 records x 625 samples");
        CsvRecordingLoader.Result loaded = CsvRecordingLoader.loadDirectory(dir);
        assertThat(loaded.problems()).isEmpty();
        assertThat(loaded.recordings()).extracting(Recording::id).containsExactlyInAnyOrder("1", "2", "3");
        for (Recording rec : loaded.recordings()) {
            assertThat(rec.sampleCount()).isEqualTo(625);
            assertThat(rec.rateHz()).isEqualTo(250.0);
            assertThat(rec.channelCount()).isEqualTo(2);
        }
        List<String> lines = Files.readAllLines(dir.resolve("2.csv"));
        assertThat(lines.get(0)).startsWith("0,");
        assertThat(lines.get(1)).startsWith("0.004,");
        assertThat(lines.get(250)).startsWith("1,");
        Pattern shortest = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]{0,2}[1-9])?");
        for (String line : lines) {
            String[] f = line.split(",");
            assertThat(f).hasSize(3);
            for (int c = 1; c < 3; c++) {
                assertThat(f[c]).matches(shortest).isNotEqualTo("-0");
                double steps = Double.parseDouble(f[c]) / 0.005;
                assertThat(Math.abs(steps - Math.rint(steps))).isLessThan(1e-6);
            }
        }
    }

    @Test
    void genDataIsDeterministicForASeed(@TempDir Path a, @TempDir Path b) throws Exception {
        run("gen-data", "--records", "2", "--seconds", "1", "--seed", "7", "--out", a.toString());
        run("gen-data", "--records", "2", "--seconds", "1", "--seed", "7", "--out", b.toString());
        assertThat(Files.mismatch(a.resolve("2.csv"), b.resolve("2.csv"))).isEqualTo(-1);
        run("gen-data", "--records", "2", "--seconds", "1", "--seed", "8", "--out", b.toString());
        assertThat(Files.mismatch(a.resolve("2.csv"), b.resolve("2.csv"))).isNotEqualTo(-1);
    }

    @Test
    void benchFilesVerifiesEveryCopy(@TempDir Path root) throws Exception {
        byte[] data = new byte[3 << 20];
        new Random(5).nextBytes(data);
        Path blob = Files.write(root.resolve("blob.bin"), data);
        Files.write(root.resolve("other.bin"), new byte[] {1, 2, 3});
        try (CourierServer files = TestServers.start(root)) {
            String at = "127.0.0.1:" + files.localAddress().getPort();
            CliRun r = run("bench", "files", "--server", at, "--name", "blob.bin", "--count", "3", "--connections", "2",
                    "--chunk-size", "65536", "--original", blob.toString(), "--json");
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertOneJsonObject(r, "megabytes_per_second", "chunk_p50_us", "chunk_p99_us");
            assertThat(r.out()).contains("\"verified\": true", "\"verification\": \"sha256 of the original\"");
            assertThat(r.number("copies")).isEqualTo(3);
            assertThat(r.number("size_bytes")).isEqualTo(data.length);
            assertThat(r.number("chunks")).isEqualTo(3 * 48);
            assertThat(r.number("megabytes_per_second")).isPositive();

            CliRun firstCopy = run("bench", "files", "--server", at, "--name", "blob.bin", "--count", "2");
            assertThat(firstCopy.exitCode()).as(firstCopy.err()).isZero();
            assertThat(firstCopy.out()).contains("verified: every copy's SHA-256 equals the first's");

            CliRun discard = run("bench", "files", "--server", at, "--name", "blob.bin", "--count", "2", "--discard",
                    "--json");
            assertThat(discard.exitCode()).as(discard.err()).isZero();
            assertThat(discard.out()).contains("\"discard\": true", "\"verified\": true");

            CliRun mismatch = run("bench", "files", "--server", at, "--name", "blob.bin", "--count", "1",
                    "--original", root.resolve("other.bin").toString());
            assertThat(mismatch.exitCode()).isEqualTo(ExitCodes.FAILED);
            assertThat(mismatch.err()).startsWith("courier: VERIFICATION_FAILED: copy 1 has SHA-256");
        }
    }

    @Test
    void getDiscardDownloadsAndWritesNothing(@TempDir Path root, @TempDir Path dest) throws Exception {
        byte[] data = new byte[1 << 20];
        new Random(6).nextBytes(data);
        Files.write(root.resolve("blob.bin"), data);
        try (CourierServer files = TestServers.start(root)) {
            CliRun r = run("get", "--server", "127.0.0.1:" + files.localAddress().getPort(), "blob.bin", "--discard",
                    "-o", dest.toString(), "--chunk-size", "100000");
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.out()).startsWith("blob.bin (discarded): 1048576 bytes in ")
                    .contains("SHA-256 " + HexFormat.of().formatHex(
                            MessageDigest.getInstance("SHA-256").digest(data)) + " verified");
            try (var s = Files.list(dest)) {
                assertThat(s).isEmpty();
            }
        }
    }

    @Test
    void benchRangeExportReadsEverySampleOfEveryRecordOnce() {
        CsvTruth truth = CsvTruth.load();
        long samples = 0;
        for (String record : truth.records()) {
            samples += truth.samples(record);
        }
        CliRun r = run("bench", "range", "--export", "--server", address, "--json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat((long) r.number("samples")).isEqualTo(samples);
        assertThat((long) r.number("values")).isEqualTo(2 * samples); // both channels
        assertThat((long) r.number("bytes")).isEqualTo(16 * samples);
        assertThat(r.number("samples_per_second")).isPositive();
    }
    @Test
    void benchRangeExportOverSeveralConnectionsAfterAWarmUpChecksEveryValue() {
        CsvTruth truth = CsvTruth.load();
        long samples = 0;
        long checksum = 0; // the sum of every value's bits, which does not depend on the order they came in
        for (String record : truth.records()) {
            samples += truth.samples(record);
            for (int row = 0; row < truth.samples(record); row++) {
                for (int channel = 1; channel <= 2; channel++) {
                    checksum += Double.doubleToRawLongBits(truth.value(record, row, channel));
                }
            }
        }
        CliRun r = run("bench", "range", "--export", "--server", address, "-c", "3", "--warmup", "0.2", "--json");

        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat((long) r.number("samples")).isEqualTo(samples);
        assertThat((long) r.number("connections")).isEqualTo(3);
        var m = Pattern.compile("\"checksum\": (-?[0-9]+)").matcher(r.out());
        assertThat(m.find()).as(r.out()).isTrue();
        assertThat(Long.parseLong(m.group(1))).isEqualTo(checksum);
    }

    @Test
    void benchRangeExportRefusesZeroConnections() {
        CliRun r = run("bench", "range", "--export", "--server", address, "-c", "0", "--warmup", "0");

        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--connections must be at least 1");
    }
}
