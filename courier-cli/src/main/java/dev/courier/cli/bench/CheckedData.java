package dev.courier.cli.bench;

import dev.courier.cli.common.BundledData;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** What the point benchmarks ask for and check the answers against: {@code --data}, {@code --records}, {@code --channel}. */
final class CheckedData {
    @Option(names = "--data", paramLabel = "DIR",
            description = "Data set the answers are checked against (default: the bundled one).")
    Path data;

    @Option(names = "--records", paramLabel = "LIST", split = ",",
            description = "Records to ask for, comma-separated ids (default: every record of the data set).")
    List<String> records;

    @Option(names = "--channel", paramLabel = "N", defaultValue = "1",
            description = "Channel, numbered from 1 (default: ${DEFAULT-VALUE}).")
    int channel;

    /** The data directory: the one given, or the bundled data set. */
    Path dir() {
        return data != null ? data : BundledData.locate();
    }
}
