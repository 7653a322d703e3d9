package dev.courier.cli;

import dev.courier.cli.plot.EcgStrip;
import dev.courier.cli.plot.Png;
import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.client.Envelope;
import dev.courier.client.RecordInfo;
import dev.courier.protocol.ErrorCode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "plot", mixinStandardHelpOptions = true,
        description = {"Draw an ECG strip of a record's [FROM, TO) seconds into a PNG: one panel per channel, value "
                + "against seconds, from the min/max envelope the server computes (about one bucket per pixel "
                + "column, so every peak shows however long the range).",
                "--grid adds the ECG paper: minor lines every 0.04 s and 0.1 (mV), major every 0.2 s and 0.5; lines "
                        + "that would be closer than 3 pixels are left out."})
final class PlotCommand implements Callable<Integer> {
    @Mixin
    ClientOptions server;

    @Parameters(index = "0", paramLabel = "RECORD", description = "Record id (see courier records).")
    String record;

    @Parameters(index = "1", paramLabel = "FROM", description = "Start, seconds.")
    double fromSeconds;

    @Parameters(index = "2", paramLabel = "TO", description = "End, seconds (not included).")
    double toSeconds;

    @Option(names = "--channels", paramLabel = "LIST", split = ",",
            description = "Channels, numbered from 1, one panel each, top to bottom (default: all).")
    int[] channels;

    @Option(names = "--width", paramLabel = "PX", defaultValue = "1200",
            description = "Image width in pixels (default: ${DEFAULT-VALUE}).")
    int widthPx;

    @Option(names = "--height", paramLabel = "PX",
            description = "Image height in pixels (default: 300 per channel).")
    Integer heightPx;

    @Option(names = "--grid", description = "Draw the ECG paper's grid (1 mm = 0.04 s / 0.1 mV, 5 mm major).")
    boolean grid;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true,
            description = "The PNG to write (under a temporary name, renamed once complete).")
    Path output;

    /** Images larger than this are refused: 16000 x 16000 RGB is already 1 GB of heap. */
    static final int MAX_SIDE_PX = 8000;

    @Override
    public Integer call() throws IOException {
        int height = heightPx != null ? heightPx : 300 * (channels != null ? channels.length : 2);
        if (widthPx < 200 || height < 100 || widthPx > MAX_SIDE_PX || height > MAX_SIDE_PX) {
            throw new IllegalArgumentException("--width must be in [200, " + MAX_SIDE_PX + "] and --height in [100, "
                    + MAX_SIDE_PX + "] pixels");
        }
        try (CourierClient client = server.client(); Connection c = client.open()) {
            RecordInfo info = RangeCommand.find(RangeCommand.catalogue(c), record);
            long[] samples = info.samplesBetween(fromSeconds, toSeconds);
            if (samples[0] == samples[1]) {
                throw new CourierException(ErrorCode.BAD_RANGE, "[" + fromSeconds + ", " + toSeconds
                        + ") s holds no sample of record " + record + " to draw");
            }
            int[] chosen = channels != null ? channels : allChannels(info);
            if (height / chosen.length < 100) {
                throw new IllegalArgumentException("--height gives each of " + chosen.length + " channels less than "
                        + "100 pixels");
            }
            // At most 7910 buckets (8000 px): under the server's 10000, and it gives fewer for fewer samples.
            Envelope e = c.envelope(info.id(), samples[0], samples[1], EcgStrip.bucketsFor(widthPx), chosen).join();
            List<EcgStrip.Trace> traces = new ArrayList<>(chosen.length);
            for (int i = 0; i < chosen.length; i++) {
                RecordInfo.ChannelInfo ch = info.channels().get(chosen[i] - 1);
                traces.add(EcgStrip.Trace.of(info, e, i, ch.name(), ch.unit()));
            }
            BufferedImage image = EcgStrip.draw("record " + info.id(), traces, fromSeconds, toSeconds, grid, widthPx,
                    height);
            Png.write(image, output);
            return 0;
        } catch (RuntimeException e) {
            throw CourierException.unwrap(e);
        }
    }

    private static int[] allChannels(RecordInfo info) {
        int[] all = new int[info.channels().size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i + 1;
        }
        return all;
    }
}
