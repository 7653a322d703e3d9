package dev.courier.cli;

import dev.courier.cli.common.BundledData;
import dev.courier.server.CourierServer;
import dev.courier.server.ServerConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The run the distribution's ahead-of-time cache is recorded from ({@code -XX:AOTCacheOutput}, JEP 483/514/515):
 * courier-dist runs this class once when it builds the archive. The cache holds the classes this run loads and
 * links, and the profiles of the methods it runs, so a command starts fast only if this run took the same path. A
 * server in this process serves the bundled data, and every client command a user runs from a shell is run once
 * against it through {@link CourierCli#run}, as {@code bin/courier} would run it, each building its own picocli
 * model; then the demo (server and client under load) runs as well. What the commands print is thrown away; a
 * command that fails fails the build, because a cache recorded from a broken run would only hide the break.
 */
public final class AotTraining {
    private AotTraining() {
    }

    public static void main(String[] args) throws Exception {
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
