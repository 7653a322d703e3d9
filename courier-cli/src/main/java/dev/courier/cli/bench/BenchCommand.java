package dev.courier.cli.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code courier bench}: load tools that measure a server and check every answer. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure a server under load; every answer is checked.",
        subcommands = {BenchPointsCommand.class, BenchRangeCommand.class, BenchFilesCommand.class,
                BenchConnectionsCommand.class, BenchLiveCommand.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "name what to measure: courier bench points, files or connections");
    }
}
