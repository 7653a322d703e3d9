package dev.courier.cli.bench;

import dev.courier.cli.common.Units;
import dev.courier.load.LoadEngine;
import picocli.CommandLine.Option;

/**
 * The options every load command of the engine takes beside its connections and its target: requests in flight
 * per connection, the measured and the warm-up time, the deadline of a request, and JSON output. A picocli mixin.
 */
final class LoadOptions {
    @Option(names = {"-P", "--pipeline"}, paramLabel = "P", defaultValue = "1",
            description = "Requests in flight per connection (default: ${DEFAULT-VALUE}).")
    int pipeline;

    @Option(names = {"-d", "--duration"}, paramLabel = "SECONDS", defaultValue = "10",
            converter = Units.Seconds.class,
            description = "Measured time (default: ${DEFAULT-VALUE}). " + Units.DURATION_HELP)
    double durationSeconds;

    @Option(names = "--warmup", paramLabel = "SECONDS", defaultValue = "1",
            converter = Units.Seconds.class,
            description = "Unmeasured time before it (default: ${DEFAULT-VALUE}). " + Units.DURATION_HELP)
    double warmupSeconds;

    @Option(names = "--timeout-ms", paramLabel = "MILLIS", defaultValue = "10000",
            converter = Units.IntMillis.class,
            description = "Deadline for each request (default: ${DEFAULT-VALUE}). " + Units.DURATION_HELP)
    int timeoutMillis;

    @Option(names = "--json", description = "Print one JSON object instead of the text report.")
    boolean json;

    /**
     * The engine's run: {@code connections} connections, each with {@link #pipeline} requests in flight.
     *
     * @param rateRequestsPerSecond 0 for the closed loop; otherwise the open loop's rate in all
     */
    LoadEngine.Spec spec(int connections, double rateRequestsPerSecond) {
        // A request is abandoned a second after its own deadline, so the engine never waits on a lost one.
        return new LoadEngine.Spec(connections, pipeline, (long) (durationSeconds * 1e9), (long) (warmupSeconds * 1e9),
                rateRequestsPerSecond, timeoutMillis + 1_000L);
    }
}
