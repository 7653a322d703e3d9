package dev.courier.cli;

import static dev.courier.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import dev.courier.cli.common.ExitCodes;
import dev.courier.cli.plot.EcgStrip;
import dev.courier.cli.plot.HistogramChart;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code courier plot} and {@code courier points --plot} against a real server: the PNG decodes, has the size asked
 * for, and holds the trace (or bars) in its colour across the plot; the ECG grid is there when asked and only then;
 * the trace's lowest point is where the CSV's minimum lies; bad input exits with the typed error and writes nothing.
 */
class PlotCommandTest extends BundledServerTest {
    /** Whether {@code rgb} is within antialiasing's blur of {@code c}. */
    private static boolean near(int rgb, Color c, int tolerance) {
        Color p = new Color(rgb);
        return Math.abs(p.getRed() - c.getRed()) <= tolerance && Math.abs(p.getGreen() - c.getGreen()) <= tolerance
                && Math.abs(p.getBlue() - c.getBlue()) <= tolerance;
    }

    /** Columns in [x0, x1) with at least one pixel of colour {@code c} in rows [y0, y1). */
    private static int columnsWith(BufferedImage image, Color c, int x0, int x1, int y0, int y1) {
        int columns = 0;
        for (int x = x0; x < x1; x++) {
            for (int y = y0; y < y1; y++) {
                if (near(image.getRGB(x, y), c, 12)) {
                    columns++;
                    break;
                }
            }
        }
        return columns;
    }

    private static long pixels(BufferedImage image, Color c) {
        long n = 0;
        for (int x = 0; x < image.getWidth(); x++) {
            for (int y = 0; y < image.getHeight(); y++) {
                n += image.getRGB(x, y) == c.getRGB() ? 1 : 0;
            }
        }
        return n;
    }

    @Test
    void aStripHasTheAskedSizeAndItsTraceRunsAcrossEachPanel(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("strip.png");
        CliRun r = run("plot", "-s", address, "3", "10", "20", "--width", "1000", "--height", "500", "-o",
                png.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(1000);
        assertThat(image.getHeight()).isEqualTo(500);
        // Two panels of 250 px; in each, the trace covers nearly every column of the middle of the plot area.
        for (int panel = 0; panel < 2; panel++) {
            int columns = columnsWith(image, EcgStrip.TRACE, 200, 900, panel * 250, panel * 250 + 250);
            assertThat(columns).as("panel %d", panel).isGreaterThan(680);
        }
        assertThat(Files.list(dir).map(p -> p.getFileName().toString())).containsExactly("strip.png");
    }

    @Test
    void theTracesLowestPixelIsAtTheCsvMinimumsTime(@TempDir Path dir) throws Exception {
        // Record 3, channel 1, 0-60 s: the lowest sample, found here in the CSV text, is where the trace goes lowest.
        int lowest = 0;
        BigDecimal min = null;
        for (int i = 0; i < truth.samples("3"); i++) {
            BigDecimal v = new BigDecimal(truth.valueText("3", i, 1));
            if (min == null || v.compareTo(min) < 0) {
                min = v;
                lowest = i;
            }
        }
        double lowestSeconds = Double.parseDouble(truth.timeText("3", lowest));
        Path png = dir.resolve("whole.png");
        assertThat(run("plot", "-s", address, "3", "0", "60", "--channels", "1", "-o", png.toString()).exitCode())
                .isZero();
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getHeight()).isEqualTo(300); // 300 per channel by default
        int lowestY = -1;
        int lowestX = -1;
        int traceLeft = Integer.MAX_VALUE;
        int traceRight = -1;
        for (int x = 0; x < image.getWidth(); x++) {
            for (int y = 0; y < image.getHeight(); y++) {
                if (near(image.getRGB(x, y), EcgStrip.TRACE, 12)) {
                    traceLeft = Math.min(traceLeft, x);
                    traceRight = Math.max(traceRight, x);
                    if (y > lowestY) {
                        lowestY = y;
                        lowestX = x;
                    }
                }
            }
        }
        // The trace spans 0-60 s from its left to its right end: the lowest pixel's column gives its time.
        double seconds = 60.0 * (lowestX - traceLeft) / (traceRight - traceLeft);
        assertThat(seconds).isCloseTo(lowestSeconds, offset(0.2));
    }

    @Test
    void theGridIsDrawnWhenAskedAndOnlyThen(@TempDir Path dir) throws Exception {
        Path with = dir.resolve("grid.png");
        Path without = dir.resolve("plain.png");
        assertThat(run("plot", "-s", address, "1", "0", "5", "--grid", "-o", with.toString()).exitCode()).isZero();
        assertThat(run("plot", "-s", address, "1", "0", "5", "-o", without.toString()).exitCode()).isZero();

        BufferedImage grid = ImageIO.read(with.toFile());
        BufferedImage plain = ImageIO.read(without.toFile());
        assertThat(grid.getWidth()).isEqualTo(1200);
        assertThat(grid.getHeight()).isEqualTo(600);
        // 5 s at 0.2 s per major line: 26 vertical major lines, each one a column of the major colour.
        int tall = 0;
        for (int x = 0; x < grid.getWidth(); x++) {
            int run = 0;
            for (int y = 0; y < 300; y++) {
                run += near(grid.getRGB(x, y), new Color(0xEC, 0x96, 0x96), 20) ? 1 : 0;
            }
            tall += run > 150 ? 1 : 0;
        }
        assertThat(tall).isBetween(26, 26 * 3); // a line may take two or three columns when it falls between them
        assertThat(columnsWith(plain, new Color(0xEC, 0x96, 0x96), 150, 1100, 60, 240)).isZero();
        assertThat(columnsWith(grid, EcgStrip.TRACE, 150, 1100, 0, 300)).isGreaterThan(900);
    }

    @Test
    void pointsPlotDrawsABarChartPerRecord(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("hist.png");
        CliRun r = run("points", "-s", address, "--records", "1-4", "--count", "500", "-c", "4", "--plot",
                png.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(2 * HistogramChart.PANEL_WIDTH_PX);
        assertThat(image.getHeight()).isEqualTo(2 * HistogramChart.PANEL_HEIGHT_PX);
        // Each of the four panels has bars.
        for (int panel = 0; panel < 4; panel++) {
            int x0 = (panel % 2) * HistogramChart.PANEL_WIDTH_PX;
            int y0 = (panel / 2) * HistogramChart.PANEL_HEIGHT_PX;
            assertThat(columnsWith(image, HistogramChart.BAR, x0, x0 + HistogramChart.PANEL_WIDTH_PX, y0,
                    y0 + HistogramChart.PANEL_HEIGHT_PX)).as("panel %d", panel).isGreaterThan(20);
        }
        CliRun sized = run("points", "-s", address, "--records", "2", "--count", "100", "-c", "1", "--plot",
                png.toString(), "--width", "640", "--height", "480");
        assertThat(sized.exitCode()).as(sized.err()).isZero();
        BufferedImage one = ImageIO.read(png.toFile());
        assertThat(one.getWidth()).isEqualTo(640);
        assertThat(one.getHeight()).isEqualTo(480);
        assertThat(pixels(one, HistogramChart.BAR)).isGreaterThan(1000);
    }

    @Test
    void badInputExitsWithTheTypedErrorAndWritesNothing(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("x.png");
        CliRun backwards = run("plot", "-s", address, "1", "5", "2", "-o", png.toString());
        assertThat(backwards.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(backwards.err()).startsWith("courier: BAD_RANGE");
        CliRun unknown = run("plot", "-s", address, "16", "0", "1", "-o", png.toString());
        assertThat(unknown.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(unknown.err()).startsWith("courier: UNKNOWN_RECORD");
        assertThat(run("plot", "-s", address, "1", "0", "61", "-o", png.toString()).err())
                .startsWith("courier: TIME_OUT_OF_RANGE");
        assertThat(run("plot", "-s", address, "1", "0", "1", "--channels", "3", "-o", png.toString()).err())
                .startsWith("courier: UNKNOWN_CHANNEL");
        assertThat(run("plot", "-s", address, "1", "2", "2", "-o", png.toString()).err())
                .startsWith("courier: BAD_RANGE");
        CliRun noFolder = run("plot", "-s", address, "1", "0", "1", "-o", dir.resolve("none/x.png").toString());
        assertThat(noFolder.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(noFolder.err()).contains("there is no folder").contains("none");
        assertThat(run("plot", "-s", address, "1", "0", "1", "--width", "10", "-o", png.toString()).exitCode())
                .isEqualTo(ExitCodes.USAGE);
        assertThat(run("plot", "-s", address, "1", "0", "1").exitCode()).isEqualTo(ExitCodes.USAGE); // no -o
        CliRun pointsNoFolder = run("points", "-s", address, "--records", "1", "--count", "10", "-c", "1",
                "--plot", dir.resolve("none/h.png").toString());
        assertThat(pointsNoFolder.exitCode()).isEqualTo(ExitCodes.FAILED);
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left).isEmpty();
        }
    }
}
