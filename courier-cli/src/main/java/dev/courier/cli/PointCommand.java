package dev.courier.cli;

import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.client.Point;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "point", mixinStandardHelpOptions = true,
        description = "Print one data point: the value, then the sample's index and exact time in seconds.")
final class PointCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions server;

    @Parameters(index = "0", paramLabel = "RECORD", description = "Record id, for example 1.")
    String record;

    @Parameters(index = "1", paramLabel = "TIME", description = "Time in seconds, for example 0.008.")
    double timeSeconds;

    @Parameters(index = "2", paramLabel = "CHANNEL", description = "Channel, numbered from 1.")
    int channel;

    @Override
    public Integer call() {
        try (CourierClient client = server.client(); Connection c = client.open()) {
            Point r = c.point(record, timeSeconds, channel).join();
            spec.commandLine().getOut().println(r.value() + " " + r.sampleIndex() + " " + r.sampleTimeSeconds());
            return 0;
        } catch (RuntimeException e) {
            throw CourierException.unwrap(e);
        }
    }
}
