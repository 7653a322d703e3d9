package dev.courier.cli;

import dev.courier.cli.common.BundledData;
import dev.courier.server.CourierServer;
import dev.courier.server.ServerConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The run the distribution's ahead-of-time cache is recorded from ({@code -XX:AOTCacheOutput}, JEP 483/514/515):
 * courier-dist runs this class once when it builds the archive. The cache holds the classes this run loads and
 * links, and the profiles of the methods it runs, so a command starts fast only if this run took the same path. A
 * server in this process serves the bundled data, and every client command a user runs from a shell is run once
 * against it through {@link CourierCli#run}, as {@code bin/courier} would run it, each building its own picocli
 * model; then the demo (server and client under load) runs as well. What the commands print is thrown away; a
 * command that fails fails the build, because a cache recorded from a broken run would only hide the break.
 *
 * <p>With {@code --quick} it records the second cache, {@code courier-quick.aot}, that {@code bin/courier} gives
 * the commands that ask one question and exit ({@code point}, {@code records}, {@code ls}, {@code token}, help and
 * version). A JVM started with a cache loads every class the cache holds before {@code main}, so a cache that
 * also holds the server and the bulk transfers makes {@code point} load and link about 1,300 classes it never
 * uses. Here the server runs in a child process, and only the quick commands run in this one.
 */
public final class AotTraining {
    /** The child server's line that names its address: "courier: serving ... on HOST:PORT (transport)". */
    private static final Pattern SERVING = Pattern.compile("^courier: serving .* on (\\S+:\\d+) \\(");
    /** How long the child server may take to say it serves, in seconds. */
    private static final long SERVER_START_SECONDS = 60;

    private AotTraining() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 1 && args[0].equals("--quick")) {
            quick();
        } else {
            full();
        }
    }

    /** Every client command and the demo, against a server in this process. */
    private static void full() throws Exception {
        Path data = BundledData.locate();
        Path work = Files.createTempDirectory("courier-aot-");
        try {
            Path root = Files.createDirectories(work.resolve("root"));
            Files.copy(data.resolve("1.csv"), root.resolve("1.csv"));
            Path upload = Files.writeString(work.resolve("up.txt"), "trained\n".repeat(1000));
            ServerConfig config = ServerConfig.of(new InetSocketAddress("127.0.0.1", 0), data, root)
                    .withUploadDir(Files.createDirectories(work.resolve("uploads")));
            try (CourierServer server = CourierServer.start(config)) {
                String s = "127.0.0.1:" + server.localAddress().getPort();
                String out = work.resolve("out").toString();
                for (List<String> command : List.of(
                        List.of("--version"),
                        List.of("--help"),
                        List.of("point", "-s", s, "3", "0.008", "1"),
                        List.of("points", "-s", s, "--count", "200", "-c", "4"),
                        List.of("records", "-s", s),
                        List.of("records", "-s", s, "--json"),
                        List.of("range", "-s", s, "2", "0", "2", "--csv"),
                        List.of("range", "-s", s, "2", "0", "10", "--max-points", "100", "--json"),
                        List.of("bench", "range", "--export", "--server", s, "--warmup", "0", "--json"),
                        List.of("ls", "-s", s),
                        List.of("get", "-s", s, "1.csv", "-o", out),
                        List.of("get", "-s", s, "1.csv", "--discard"),
                        List.of("put", "-s", s, upload.toString(), "up.txt"),
                        List.of("demo", "--count", "500", "--connections", "4"))) {
                    run(command);
                }
            }
        } finally {
            deleteTree(work);
        }
    }

    /** The one-question commands only, against a server in a child process. */
    private static void quick() throws Exception {
        Process server = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-Dcourier.home=" + System.getProperty("courier.home", ""),
                "-cp", System.getProperty("java.class.path"), CourierCli.class.getName(), "serve", "--port", "0")
                .redirectErrorStream(true).start();
        try {
            String s = servingAddress(server);
            for (List<String> command : List.of(
                    List.of("--version"),
                    List.of("--help"),
                    List.of("help", "get"),
                    List.of("point", "-s", s, "3", "0.008", "1"),
                    List.of("records", "-s", s),
                    List.of("records", "-s", s, "--json"),
                    List.of("ls", "-s", s),
                    List.of("token", "new", "trained", "--scopes", "points"))) {
                run(command);
            }
        } finally {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    /**
     * The address the child server says it serves on, within {@link #SERVER_START_SECONDS}; what else it prints is
     * read and dropped, so that a full pipe never stalls it.
     */
    private static String servingAddress(Process server) throws Exception {
        BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream(),
                StandardCharsets.UTF_8));
        CompletableFuture<String> address = CompletableFuture.supplyAsync(() -> {
            try {
                String line;
                while ((line = lines.readLine()) != null) {
                    Matcher m = SERVING.matcher(line);
                    if (m.find()) {
                        Thread.ofVirtual().start(() -> drain(lines));
                        return m.group(1);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            throw new IllegalStateException("the training server ended before it said where it serves");
        });
        return address.get(SERVER_START_SECONDS, TimeUnit.SECONDS);
    }

    /** Reads what the child server prints until it ends; its pipe closing when it is stopped is that end. */
    private static void drain(BufferedReader lines) {
        try {
            while (lines.readLine() != null) {
                // dropped: the training needs only the address line
            }
        } catch (IOException closedWhenStopped) {
            // the server was stopped; nothing more to read
        }
    }

    private static void run(List<String> command) {
        PrintWriter discard = new PrintWriter(OutputStream.nullOutputStream());
        int code = CourierCli.run(discard, discard, command.toArray(String[]::new));
        if (code != 0) {
            throw new IllegalStateException("training command failed with exit " + code + ": courier "
                    + String.join(" ", command));
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
