package dev.courier.cli;

import dev.courier.cli.common.Json;
import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.client.DirectoryEntry;
import dev.courier.protocol.WireText;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code courier ls}. Names come from the server and may hold any character a file name can: each is printed with
 * its control characters escaped ({@link WireText#printable}: {@code \n}, {@code \x1b}, ...), so that a name
 * cannot move the cursor, recolour the terminal or forge another line, and every entry stays on a line of its own.
 * Names are printed whole (at most 65,535 bytes, the wire's limit), since a cut name could not be asked for.
 */
@Command(name = "ls", mixinStandardHelpOptions = true,
        description = "List a directory on the server: size in bytes, modification time (UTC), name. Control "
                + "characters in names are escaped (\\n, \\x1b, ...).")
final class LsCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions server;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PATH", defaultValue = "",
            description = "Directory under the served root (default: the root).")
    String path;

    @Option(names = "--json", description = "Print one JSON object per entry (JSON lines, for jq and streaming): "
            + "name, type (\"file\" or \"directory\"), size_bytes, modified (ISO-8601, UTC), modified_millis.")
    boolean json;

    @Override
    public Integer call() {
        try (CourierClient client = server.client(); Connection c = client.open()) {
            List<DirectoryEntry> entries = c.list(path).join();
            PrintWriter out = spec.commandLine().getOut();
            for (DirectoryEntry e : entries) {
                if (json) {
                    out.println(json(e));
                    continue;
                }
                out.printf("%12d  %s  %s%s%n", e.sizeBytes(), TIME.format(Instant.ofEpochMilli(e.modifiedMillis())),
                        WireText.printable(e.name(), Integer.MAX_VALUE), e.directory() ? "/" : "");
            }
            return 0;
        } catch (RuntimeException e) {
            throw CourierException.unwrap(e);
        }
    }

    /** One entry as a JSON object; its name escaped by the JSON writer, not by {@link WireText}. */
    static String json(DirectoryEntry e) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("name", e.name());
            g.writeStringField("type", e.directory() ? "directory" : "file");
            g.writeNumberField("size_bytes", e.sizeBytes());
            g.writeStringField("modified", Instant.ofEpochMilli(e.modifiedMillis()).toString());
            g.writeNumberField("modified_millis", e.modifiedMillis());
            g.writeEndObject();
        });
    }
}
