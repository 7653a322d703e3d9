package dev.courier.cli.bench;

import dev.courier.cli.common.ExitCodes;
import dev.courier.cli.common.ServerOption;
import dev.courier.cli.common.Units;
import dev.courier.client.ClientConfig;
import dev.courier.load.CourierRangeTarget;
import dev.courier.load.FullExport;
import dev.courier.load.LoadEngine;
import dev.courier.load.PointData;
import dev.courier.load.PostgresTarget;
import dev.courier.load.Target;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code courier bench range}: range reads of one channel against Courier (RANGE_STREAM) or PostgreSQL (a SELECT
 * on the primary key), random records and start times, every value checked against the data set. The load is
 * {@link LoadEngine}'s, as for {@code bench points}; a request is one whole range.
 */
@Command(name = "range", mixinStandardHelpOptions = true,
        description = {"Load a server with range reads of one channel and measure ranges/s, samples/s and latency; "
                + "every value is checked against the data.",
                "With --postgres JDBC-URL the same engine reads table samples(record, idx, time, ch1, ch2) of a "
                        + "PostgreSQL server instead; --load fills it from the data set first."})
public final class BenchRangeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ServerOption server;

    @Option(names = "--postgres", paramLabel = "JDBC-URL",
            description = "Drive this PostgreSQL server instead, for example "
                    + "jdbc:postgresql://127.0.0.1:5432/postgres?user=me.")
    String postgres;

    @Option(names = "--load", description = "With --postgres: (re)create and fill the table from the data set.")
    boolean load;

    @Option(names = "--export", description = "Instead of the load: read every sample of every record once, all "
            + "channels, binary (Courier: RANGE_STREAM of each whole record, 4 at a time on each of -c connections, "
            + "every value checked; PostgreSQL: COPY samples TO STDOUT (FORMAT binary)), and print samples/s. Whole "
            + "unmeasured passes run first until --warmup has passed, the same for both.")
    boolean export;

    @Option(names = {"-c", "--connections"}, paramLabel = "C", defaultValue = "1",
            description = "Connections (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--span-seconds", paramLabel = "S", defaultValue = "10",
            converter = Units.Seconds.class,
            description = "Length of each range in seconds of the records (default: ${DEFAULT-VALUE}). "
                    + Units.DURATION_HELP)
    double spanSeconds;

    @Mixin
    CheckedData checked;

    @Mixin
    LoadOptions options;

    @Override
    public Integer call() throws Exception {
        if (export) {
            return export();
        }
        LoadEngine.Spec spec0 = options.spec(connections, 0);
        PointData truth = PointData.load(checked.dir(), checked.records, 0);
        Target target;
        int span;
        if (postgres != null) {
            PostgresTarget pg = new PostgresTarget(postgres, truth, checked.channel, spanSeconds);
            if (load) {
                pg.load();
            }
            target = pg;
            span = pg.spanSamples();
        } else {
            if (load) {
                throw new IllegalArgumentException("--load goes with --postgres: Courier serves its data directory");
            }
            CourierRangeTarget c = new CourierRangeTarget(
                    server.config().withRequestTimeoutMillis(options.timeoutMillis), truth, checked.channel, spanSeconds);
            target = c;
            span = c.spanSamples();
        }
        LoadEngine.Result r;
        try (target) {
            r = LoadEngine.run(target, spec0);
        }
        PrintWriter out = spec.commandLine().getOut();
        double samplesPerSecond = r.requestsPerSecond() * span;
        if (options.json) {
            out.println(new JsonLine()
                    .put("target", target.kind())
                    .put("connections", spec0.connections())
                    .put("pipeline", spec0.pipeline())
                    .put("span_samples", span)
                    .put("seconds", r.seconds(), 3)
                    .put("ranges", r.requests())
                    .put("errors", r.errors())
                    .put("ranges_per_second", r.requestsPerSecond(), 1)
                    .put("samples_per_second", samplesPerSecond, 0)
                    .put("p50_us", r.percentileMicros(50), 1)
                    .put("p99_us", r.percentileMicros(99), 1)
                    .put("max_us", r.maxMicros(), 1)
                    .put("first_error", r.firstProblem())
                    .toString());
        } else {
            out.println("target:   " + target.describe());
            out.printf(Locale.ROOT, "ranges:   %d  errors: %d  ranges/s: %.0f  samples/s: %.0f%n", r.requests(),
                    r.errors(), r.requestsPerSecond(), samplesPerSecond);
            out.printf(Locale.ROOT, "latency:  p50 %.1f us  p99 %.1f us  max %.1f us%n", r.percentileMicros(50),
                    r.percentileMicros(99), r.maxMicros());
        }
        out.flush();
        if (r.errors() > 0) {
            spec.commandLine().getErr().println("courier: " + r.errors() + " of " + r.requests()
                    + " ranges were wrong or failed; first: " + r.firstProblem());
            spec.commandLine().getErr().flush();
            return ExitCodes.FAILED;
        }
        return 0;
    }

    /**
     * {@code --export}: whole unmeasured passes for the warm-up, then one full export, timed from the first request
     * to the last byte.
     */
    private int export() throws Exception {
        if (connections < 1) {
            throw new IllegalArgumentException("--connections must be at least 1");
        }
        FullExport.Pass pass;
        String kind;
        if (postgres != null) {
            if (load) {
                PointData truth = PointData.load(checked.dir(), checked.records, 0);
                new PostgresTarget(postgres, truth, checked.channel, spanSeconds).load();
            }
            pass = () -> FullExport.postgres(postgres);
            kind = "postgres";
        } else {
            if (load) {
                throw new IllegalArgumentException("--load goes with --postgres: Courier serves its data directory");
            }
            ClientConfig config = server.config().withRequestTimeoutMillis(options.timeoutMillis);
            pass = () -> FullExport.courier(config, connections);
            kind = "courier";
        }
        FullExport.Result r = FullExport.warmedUp(pass, (long) (options.warmupSeconds * 1e9));
        PrintWriter out = spec.commandLine().getOut();
        double seconds = r.elapsedNanos() / 1e9;
        if (options.json) {
            out.println(new JsonLine()
                    .put("target", kind)
                    .put("export", "all records, all channels")
                    .put("samples", r.samples())
                    .put("values", r.values())
                    .put("bytes", r.bytes())
                    .put("seconds", seconds, 3)
                    .put("samples_per_second", r.samplesPerSecond(), 0)
                    .put("connections", postgres != null ? 1 : connections)
                    .put("checksum", r.checksum())
                    .toString());
        } else {
            out.printf(Locale.ROOT, "%s export: %d samples (%d values, %d bytes) in %.3f s: %.0f samples/s%n", kind,
                    r.samples(), r.values(), r.bytes(), seconds, r.samplesPerSecond());
        }
        out.flush();
        return 0;
    }
}
