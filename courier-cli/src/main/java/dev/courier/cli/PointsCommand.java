package dev.courier.cli;

import dev.courier.cli.common.Units;
import dev.courier.cli.plot.HistogramChart;
import dev.courier.cli.plot.Png;
import dev.courier.client.BinEdges;
import dev.courier.client.CourierClient;
import dev.courier.client.PointSweep;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "points", mixinStandardHelpOptions = true,
        description = {"Request COUNT consecutive samples (times 0, 0.004, 0.008, ...) of each record, one request "
                + "per point, spread over the connections, and print per-record histograms of the values: by default "
                + "ten bins over [-2, 2), values below the range in the first bin and at or above it in the last.",
                "Bin edges are LO + i (HI - LO) / N worked out in decimal, so a value equal to an edge's decimal "
                        + "spelling (0.4) falls in the bin that starts there."})
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

    @Option(names = "--bins", paramLabel = "N", defaultValue = "10",
            description = "Bins of each histogram, 1 to 10000 (default: ${DEFAULT-VALUE}).")
    int bins;

    @Option(names = "--range", arity = "2", paramLabel = "LO HI",
            description = "The bins' range [LO, HI) (default: -2 2).")
    double[] range;

    @Option(names = "--json", description = "Print one JSON object instead of the table, with the bin edges.")
    boolean json;

    @Option(names = "--plot", paramLabel = "FILE",
            description = "Also draw the histograms as bar charts, one per record, into the PNG FILE.")
    Path plot;

    @Option(names = "--width", paramLabel = "PX", description = "The plot's width (default: 420 per column).")
    Integer widthPx;

    @Option(names = "--height", paramLabel = "PX", description = "The plot's height (default: 300 per row).")
    Integer heightPx;

    @Override
    public Integer call() throws IOException {
        BinEdges edges = range == null ? BinEdges.uniform(bins, -2, 2) : BinEdges.uniform(bins, range[0], range[1]);
        PointSweep sweep = new PointSweep(RecordRange.parse(records), count, stepSeconds, channel, connections,
                pipeline, edges);
        int panels = sweep.records().size();
        int columns = HistogramChart.columns(panels);
        int width = widthPx != null ? widthPx : HistogramChart.PANEL_WIDTH_PX * columns;
        int height = heightPx != null ? heightPx : HistogramChart.PANEL_HEIGHT_PX * ((panels + columns - 1) / columns);
        if (plot != null && (width < 200 || height < 150 || width > PlotCommand.MAX_SIDE_PX
                || height > PlotCommand.MAX_SIDE_PX)) {
            throw new IllegalArgumentException("--width must be in [200, " + PlotCommand.MAX_SIDE_PX
                    + "] and --height in [150, " + PlotCommand.MAX_SIDE_PX + "] pixels");
        }
        try (CourierClient client = server.client()) {
            PointSweep.Result result = sweep.run(client);
            if (json) {
                PointsReport.json(result, edges, spec.commandLine().getOut());
            } else {
                PointsReport.table(result, edges, spec.commandLine().getOut());
            }
            if (plot != null) {
                Png.write(HistogramChart.draw(result.histograms(), width, height), plot);
            }
        }
        return 0;
    }
}
