package dev.courier.cli.bench;

import dev.courier.cli.common.ExitCodes;
import dev.courier.cli.common.ServerOption;
import dev.courier.client.ClientConfig;
import dev.courier.load.CourierTarget;
import dev.courier.load.LoadEngine;
import dev.courier.load.PointData;
import dev.courier.load.RedisTarget;
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
 * {@code courier bench points}: small requests against Courier (POINT) or Redis (GET), closed or open loop, every
 * answer checked, latency percentiles from HdrHistogram. The load is {@link LoadEngine}'s; this command maps the
 * options onto its spec and a {@link Target}, and prints the result.
 */
@Command(name = "points", mixinStandardHelpOptions = true,
        description = {"Load a server with small requests and measure throughput and latency; every answer is "
                + "checked against the data.",
                "Closed loop by default: C connections with P requests in flight each. With --rate, open loop: "
                        + "R requests/s in total, at most P in flight per connection, latency measured from the "
                        + "intended send time (no coordinated omission).",
                "With --redis HOST:PORT the same engine GETs an 8-byte value from a Redis server instead "
                        + "(SET first)."})
public final class BenchPointsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ServerOption server;

    @Option(names = "--redis", paramLabel = "HOST:PORT",
            description = "Drive this Redis server instead of a Courier server.")
    String redis;

    @Option(names = {"-c", "--connections"}, paramLabel = "C", defaultValue = "50",
            description = "Connections (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "0",
            description = "Open loop at R requests/s in total; 0 for the closed loop (default).")
    double rate;

    @Mixin
    CheckedData checked;

    @Mixin
    LoadOptions options;

    @Option(names = "--rows", paramLabel = "N", defaultValue = "0",
            description = "Check only N rows per record, spread evenly over it and read by seeking, for data sets "
                    + "too big to hold in memory; 0 reads every row (default: ${DEFAULT-VALUE}).")
    int rowsPerRecord;

    @Option(names = "--io-threads", paramLabel = "N", defaultValue = "0",
            description = "Client event loop threads; 0 for Netty's default of twice the cores "
                    + "(default: ${DEFAULT-VALUE}).")
    int ioThreads;

    @Override
    public Integer call() throws Exception {
        LoadEngine.Spec load = options.spec(connections, rate);
        Target target;
        if (redis != null) {
            RedisTarget r = RedisTarget.parse(redis, ioThreads, 5_000);
            try {
                r.prepare(options.timeoutMillis);
            } catch (RuntimeException e) {
                r.close();
                throw e;
            }
            target = r;
        } else {
            if (rowsPerRecord < 0) {
                throw new IllegalArgumentException("--rows must be 0 (every row) or more: " + rowsPerRecord);
            }
            PointData truth = PointData.load(checked.dir(), checked.records,
                    rowsPerRecord);
            target = new CourierTarget(server.config().withIoThreads(ioThreads)
                    .withRequestTimeoutMillis(options.timeoutMillis), truth, checked.channel);
        }
        LoadEngine.Result result;
        try (target) {
            result = LoadEngine.run(target, load);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (options.json) {
            out.println(json(target, load, result));
        } else {
            text(target, load, result, out);
        }
        out.flush();
        if (result.errors() > 0) {
            spec.commandLine().getErr().println("courier: " + result.errors() + " of " + result.requests()
                    + " answers were wrong or failed; first: " + result.firstProblem());
            spec.commandLine().getErr().flush();
            return ExitCodes.FAILED;
        }
        return 0;
    }

    static String json(Target target, LoadEngine.Spec load, LoadEngine.Result r) {
        return new JsonLine()
                .put("target", target.kind())
                .put("mode", load.openLoop() ? "open" : "closed")
                .put("connections", load.connections())
                .put("pipeline", load.pipeline())
                .put("rate", load.ratePerSecond(), 1)
                .put("seconds", r.seconds(), 3)
                .put("requests", r.requests())
                .put("errors", r.errors())
                .put("wrong", r.wrong())
                .put("failed", r.failed())
                .put("requests_per_second", r.requestsPerSecond(), 1)
                .put("mean_us", r.meanMicros(), 1)
                .put("p50_us", r.percentileMicros(50), 1)
                .put("p90_us", r.percentileMicros(90), 1)
                .put("p99_us", r.percentileMicros(99), 1)
                .put("p999_us", r.percentileMicros(99.9), 1)
                .put("max_us", r.maxMicros(), 1)
                .put("first_error", r.firstProblem())
                .toString();
    }

    static void text(Target target, LoadEngine.Spec load, LoadEngine.Result r, PrintWriter out) {
        out.println("target:   " + target.describe());
        out.printf(Locale.ROOT, "load:     %s, %d connections x %d in flight%s, %.1f s measured after %.1f s "
                        + "warm-up%n", load.openLoop() ? "open loop" : "closed loop", load.connections(),
                load.pipeline(), load.openLoop() ? String.format(Locale.ROOT, ", %.0f requests/s intended",
                        load.ratePerSecond()) : "", r.seconds(), load.warmupNanos() / 1e9);
        out.printf(Locale.ROOT, "requests: %d  errors: %d (wrong %d, failed %d)  requests/s: %.0f%n",
                r.requests(), r.errors(), r.wrong(), r.failed(), r.requestsPerSecond());
        out.printf(Locale.ROOT, "latency:  p50 %.1f us  p90 %.1f us  p99 %.1f us  p99.9 %.1f us  max %.1f us  "
                        + "(mean %.1f us, %s)%n", r.percentileMicros(50), r.percentileMicros(90),
                r.percentileMicros(99), r.percentileMicros(99.9), r.maxMicros(), r.meanMicros(),
                load.openLoop() ? "from the intended send time" : "from the send");
    }
}
