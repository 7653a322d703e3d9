package dev.courier.cli;

import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.protocol.FileEntry;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "ls", mixinStandardHelpOptions = true,
        description = "List a directory on the server: size in bytes, modification time (UTC), name.")
final class LsCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOption server;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PATH", defaultValue = "",
            description = "Directory under the served root (default: the root).")
    String path;

    @Override
    public Integer call() {
        try (CourierClient client = server.client(); Connection c = client.open()) {
            List<FileEntry> entries = c.list(path).join();
            PrintWriter out = spec.commandLine().getOut();
            for (FileEntry e : entries) {
                out.printf("%12d  %s  %s%s%n", e.sizeBytes(), TIME.format(Instant.ofEpochMilli(e.modifiedMillis())),
                        e.name(), e.directory() ? "/" : "");
            }
            return 0;
        } catch (RuntimeException e) {
            throw CourierException.unwrap(e);
        }
    }
}
