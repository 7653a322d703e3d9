package dev.courier.cli;

import dev.courier.cli.common.Units;
import dev.courier.client.CourierClient;
import dev.courier.client.PointSweep;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "points", mixinStandardHelpOptions = true,
        description = {"Request COUNT consecutive samples (times 0, 0.004, 0.008, ...) of each record, one request "
                + "per point, spread over the connections, and print per-record histograms of the values: ten bins "
                + "over [-2, 2), values below -2 in the first and at or above 2 in the last."})
final class PointsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions server;

    @Option(names = "--records", paramLabel = "LIST", defaultValue = "1-15",
            description = "Records, as ids and ranges: 1-15, 1,3,5 (default: ${DEFAULT-VALUE}).")
    String records;

    @Option(names = "--count", paramLabel = "N", defaultValue = "15000",
            description = "Samples per record (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--channel", paramLabel = "N", defaultValue = "1",
            description = "Channel, numbered from 1 (default: ${DEFAULT-VALUE}).")
    int channel;

    @Option(names = "--step", paramLabel = "SECONDS", defaultValue = "0.004",
            converter = Units.Seconds.class,
            description = "Time between samples (default: ${DEFAULT-VALUE}). " + Units.DURATION_HELP)
    double stepSeconds;

    @Option(names = {"-c", "--connections"}, paramLabel = "N", defaultValue = "100",
            description = "Connections to spread the requests over (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--pipeline", paramLabel = "N", defaultValue = "32",
            description = "Requests in flight per connection (default: ${DEFAULT-VALUE}).")
    int pipeline;

    @Option(names = "--json", description = "Print one JSON object instead of the table.")
    boolean json;

    @Override
    public Integer call() {
        PointSweep sweep = new PointSweep(RecordRange.parse(records), count, stepSeconds, channel, connections,
                pipeline);
        try (CourierClient client = server.client()) {
            PointSweep.Result result = sweep.run(client);
            if (json) {
                PointsReport.json(result, spec.commandLine().getOut());
            } else {
                PointsReport.table(result, spec.commandLine().getOut());
            }
        }
        return 0;
    }
}
