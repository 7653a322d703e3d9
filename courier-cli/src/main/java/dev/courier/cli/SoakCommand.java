package dev.courier.cli;

import dev.courier.cli.common.BundledData;
import dev.courier.cli.common.Json;
import dev.courier.cli.common.Units;
import dev.courier.client.ClientConfig;
import dev.courier.load.Soak;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A bounded soak for fault-injection runs: points and downloads in a loop for a fixed time, every answer checked
 * against local copies of the data and files, then one JSON line: operations, successes, failures within the
 * deadline, wrong answers and corrupt files (both must be zero), and for each fault listed in {@code --faults} how
 * long until an operation started after it succeeded. The loop is {@link Soak}'s; this command maps the options
 * onto its spec and prints the report.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = "Points and downloads in a loop for a fixed time, every answer verified; prints one JSON "
                + "line (used by bench/chaos.sh).")
final class SoakCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions server;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "30",
            converter = Units.Seconds.class,
            description = "How long to run (default: ${DEFAULT-VALUE}). " + Units.DURATION_HELP)
    double durationSeconds;

    @Option(names = "--data", paramLabel = "DIR", description = "The server's recordings (default: the bundled set).")
    Path data;

    @Option(names = "--files", paramLabel = "DIR", required = true,
            description = "A local copy of the server's files, to verify downloads against.")
    Path files;

    @Option(names = "--deadline-ms", paramLabel = "MILLIS", defaultValue = "10000",
            converter = Units.Millis.class,
            description = "Deadline of one operation, retries included (default: ${DEFAULT-VALUE}). "
                    + Units.DURATION_HELP)
    long deadlineMillis;

    @Option(names = "--faults", paramLabel = "FILE",
            description = "File of 'EPOCH_MILLIS KIND' lines written by the fault injector, read at the end.")
    Path faults;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        Path dataDir = data != null ? data : BundledData.locate();
        server.applyLogLevels();
        Soak.Result result = Soak.run(new Soak.Spec(server.server.config(), dataDir, files,
                (int) Math.ceil(durationSeconds), deadlineMillis, seed));
        spec.commandLine().getOut().println(report(result));
        return 0;
    }

    private String report(Soak.Result r) throws IOException {
        List<String> faultLines = faults != null && Files.exists(faults) ? Files.readAllLines(faults) : List.of();
        return Json.write(g -> {
            g.writeStartObject();
            g.writeNumberField("points_ok", r.points().ok());
            g.writeNumberField("points_failed", r.points().failed());
            g.writeNumberField("points_wrong", r.points().wrong());
            g.writeNumberField("downloads_ok", r.downloads().ok());
            g.writeNumberField("downloads_failed", r.downloads().failed());
            g.writeNumberField("downloads_corrupt", r.downloads().wrong());
            g.writeArrayFieldStart("faults");
            for (String line : faultLines) {
                String[] parts = line.strip().split("\\s+");
                if (parts.length < 2) {
                    continue;
                }
                long at = Long.parseLong(parts[0]);
                OptionalLong recovered = r.recoveredMillis(at);
                g.writeStartObject();
                g.writeNumberField("at_ms", at);
                g.writeStringField("kind", parts[1]);
                g.writeFieldName("recovered_ms");
                if (recovered.isEmpty()) {
                    g.writeNull();
                } else {
                    g.writeNumber(recovered.getAsLong());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }
}
