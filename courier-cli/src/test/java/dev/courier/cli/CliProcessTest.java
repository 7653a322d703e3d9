package dev.courier.cli;

import static dev.courier.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.server.CourierServer;
import dev.courier.server.testing.TestServers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI as its own process where the process matters: standard output as bytes ({@code -o -}) and the progress
 * bar drawn to a pipe with {@code --progress}; and -q and -v, in this process.
 */
class CliProcessTest {
    @TempDir
    static Path root;
    static CourierServer server;
    static String address;
    static byte[] data;

    @BeforeAll
    static void start() throws Exception {
        data = new byte[3 << 20];
        new Random(6).nextBytes(data);
        Files.write(root.resolve("d.bin"), data);
        server = TestServers.start(root);
        address = "127.0.0.1:" + server.localAddress().getPort();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** What a {@code courier} process wrote, and how it exited. */
    record Ran(int exitCode, byte[] out, String err) {
    }

    static Ran courier(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                CourierCli.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).start();
        p.getOutputStream().close();
        CompletableFuture<byte[]> out = read(p.getInputStream());
        CompletableFuture<byte[]> err = read(p.getErrorStream());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("courier %s ended", String.join(" ", args)).isTrue();
        return new Ran(p.exitValue(), out.get(), new String(err.get(), StandardCharsets.UTF_8));
    }

    private static CompletableFuture<byte[]> read(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in; ByteArrayOutputStream b = new ByteArrayOutputStream()) {
                in.transferTo(b);
                return b.toByteArray();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void dashOWritesTheVerifiedBytesToStandardOutputAndTheSummaryToStderr(@TempDir Path dir) throws Exception {
        Ran r = courier(dir, "get", "-s", address, "d.bin", "-o", "-");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo(data);
        assertThat(r.err()).contains("d.bin (to standard output): " + data.length + " bytes").contains("verified");
        try (var left = Files.list(dir)) {
            assertThat(left).as("nothing written where it ran").isEmpty();
        }
    }

    @Test
    void progressForcedOntoAPipeShowsBytesRateAndThePhasesAfterTheLastByte(@TempDir Path dir) throws Exception {
        Ran r = courier(dir, "get", "-s", address, "d.bin", "--progress", "--chunk-size", "256K");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Files.readAllBytes(dir.resolve("d.bin"))).isEqualTo(data);
        assertThat(r.err()).contains("\rd.bin  ").contains(" / 3.0 MiB").contains("elapsed 0:")
                .contains("3.0 MiB / 3.0 MiB  verifying...").contains("3.0 MiB / 3.0 MiB  syncing...");
        assertThat(r.err().indexOf("verifying...")).isLessThan(r.err().indexOf("syncing..."));
        Ran none = courier(dir, "get", "-s", address, "d.bin", "-o", "again.bin", "--no-progress");
        assertThat(none.exitCode()).as(none.err()).isZero();
        assertThat(none.err()).doesNotContain("\r");
    }

    @Test
    void quietPrintsNothingButErrorsAndVerboseTellsHowItConnected(@TempDir Path dir) {
        CliRun quiet = run("get", "-s", address, "d.bin", "-o", dir + "/", "-q");
        assertThat(quiet.exitCode()).as(quiet.err()).isZero();
        assertThat(quiet.out()).isEmpty();
        assertThat(quiet.err()).isEmpty();
        CliRun quietError = run("get", "-s", address, "nope.bin", "-o", dir + "/", "-q");
        assertThat(quietError.err()).startsWith("courier: NOT_FOUND");

        CliRun verbose = run("get", "-s", address, "d.bin", "-o", dir.resolve("v.bin").toString(), "-v");
        assertThat(verbose.exitCode()).as(verbose.err()).isZero();
        assertThat(verbose.err()).contains("courier: connecting to " + address + " (no TLS, no token, request "
                + "timeout 30000 ms)").contains("courier: d.bin: ").contains(data.length + " bytes received")
                .contains("0 chunks fetched again, 0 bytes resumed");
        CliRun ls = run("ls", "-s", address, "-v");
        assertThat(ls.err()).contains("connecting to " + address);
        assertThat(ls.out()).contains("d.bin");
    }
}
