package dev.courier.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive an operator installs, unpacked far from the source tree and run through its own {@code bin/courier}:
 * the version, a server with the bundled data and a client asking it for a point, the ahead-of-time cache accepted
 * where the archive was unpacked, the bash completion script.
 */
@Timeout(120)
class DistributionIT {
    @TempDir
    static Path unpacked;
    static Path home;

    @BeforeAll
    static void unpack() throws Exception {
        Path archive = Path.of(System.getProperty("courier.dist.archive"));
        assertThat(archive).isRegularFile();
        Result tar = run(List.of("tar", "-xzf", archive.toString(), "-C", unpacked.toString()), Map.of());
        assertThat(tar.exitCode()).as(tar.output()).isZero();
        try (var entries = Files.list(unpacked)) {
            home = entries.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        assertThat(home.getFileName().toString()).startsWith("courier-");
    }

    @Test
    void printsItsVersionAndCommit() throws Exception {
        Result r = courier(Map.of(), "--version");
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).startsWith("courier " + home.getFileName().toString().substring("courier-".length())
                + " (commit ").contains("Java " + Runtime.version());
    }

    @Test
    void servesTheBundledDataAndAnswersAPointFromOutsideTheSourceTree() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/courier").toString(), "serve", "--port",
                String.valueOf(port)).directory(unpacked.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("XDG_CACHE_HOME", unpacked.resolve("cache").toString());
        Process server = pb.start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream(),
                    StandardCharsets.UTF_8));
            String line;
            while ((line = lines.readLine()) != null && !line.startsWith("courier: serving")) {
                // start-up lines before the one that says it listens
            }
            assertThat(line).as("the server said it serves").isNotNull()
                    .contains(home.resolve("data/bimdc").toString());
            CompletableFuture.runAsync(() -> lines.lines().forEach(l -> { }));

            Result point = courier(Map.of(), "point", "-s", "127.0.0.1:" + port, "3", "0.008", "1");
            assertThat(point.exitCode()).as(point.output()).isZero();
            assertThat(point.output().strip()).isEqualTo(valueAt("3", "0.008", 1) + " 2 0.008");
        } finally {
            server.destroy();
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** The quick commands get the cache recorded from them alone; the others the full one. */
    @Test
    void bothAheadOfTimeCachesAreAcceptedWhereTheArchiveWasUnpacked() throws Exception {
        for (var use : List.of(List.of("courier-quick.aot", "--version"), List.of("courier.aot", "get", "--help"))) {
            Path cache = home.resolve("lib").resolve(use.get(0));
            assertThat(cache).isRegularFile();
            Result r = courier(Map.of("COURIER_JAVA_OPTS", "-Xlog:aot=info"),
                    use.subList(1, use.size()).toArray(String[]::new));
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(r.output()).contains("Opened AOT cache " + cache + ".")
                    .doesNotContain("Unable to use AOT cache").doesNotContain("mismatch");
        }
    }

    @Test
    void shipsManPagesABashCompletionScriptThatBashParsesAndASystemdUnit() throws Exception {
        for (String page : List.of("courier.1", "courier-serve.1", "courier-get.1", "courier-put.1")) {
            assertThat(Files.readString(home.resolve("man/man1").resolve(page))).as(page).contains(".TH ");
        }
        Path completion = home.resolve("share/bash-completion/completions/courier");
        assertThat(Files.readString(completion)).contains("complete").contains("serve").contains("get");
        Result parse = run(List.of("bash", "-n", completion.toString()), Map.of());
        assertThat(parse.exitCode()).as(parse.output()).isZero();
        assertThat(Files.readString(home.resolve("etc/courier.service")))
                .contains("ExecStart=/opt/courier/bin/courier serve").contains("NoNewPrivileges=yes");
    }

    /** The value column of the row at {@code time} in the archive's own copy of the CSV file, as the file has it. */
    private static String valueAt(String record, String time, int channel) throws IOException {
        for (String row : Files.readAllLines(home.resolve("data/bimdc/" + record + ".csv"))) {
            String[] fields = row.split(",");
            if (fields[0].equals(time)) {
                return fields[channel];
            }
        }
        throw new AssertionError("no row at " + time);
    }

    private static Result courier(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(home.resolve("bin/courier").toString());
        command.addAll(List.of(args));
        Map<String, String> all = new HashMap<>(env);
        all.put("JAVA_HOME", System.getProperty("java.home"));
        all.put("XDG_CACHE_HOME", unpacked.resolve("cache").toString());
        return run(command, all);
    }

    private static Result run(List<String> command, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(unpacked.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), output);
    }

    private record Result(int exitCode, String output) {
    }
}
