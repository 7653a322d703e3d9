package dev.courier.cli.plot;

import dev.courier.client.Envelope;
import dev.courier.client.RecordInfo;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws an ECG strip: one panel per channel, stacked, value against seconds, from the min/max/first/last envelope of
 * the range (one bucket per pixel column or so, so every peak shows however long the range). Optionally the paper's
 * grid: minor lines every 1 mm (0.04 s, 0.1 in the channel's unit, mV for ECG), major every 5 mm (0.2 s, 0.5); a
 * set of lines closer than {@link #MIN_GRID_PX} pixels is left out, as it would only grey the plot. Stateless.
 */
public final class EcgStrip {
    /** The trace's colour: dark blue, apart from the grid's reds and the axes' black. */
    public static final Color TRACE = new Color(0x0B, 0x24, 0x7A);
    static final Color MINOR = new Color(0xF9, 0xD6, 0xD6);
    static final Color MAJOR = new Color(0xEC, 0x96, 0x96);
    static final double MINOR_SECONDS = 0.04;
    static final double MINOR_VALUE = 0.1;
    /** Major lines every this many minor ones. */
    static final int MAJOR_EVERY = 5;
    static final int MIN_GRID_PX = 3;
    /** About the pixels a panel spends on axis labels and padding around its plot area. */
    private static final int MARGIN_X_PX = 90;
    private static final int MARGIN_Y_PX = 70;

    /**
     * One channel's panel: its title and unit, and the envelope as a polyline of (seconds, value) points, per bucket
     * its first, min, max and last.
     */
    public record Trace(String title, String unit, double[] seconds, double[] values) {
        /** Channel {@code c} (an index into the envelope's channels) of {@code e}, a range of {@code record}. */
        public static Trace of(RecordInfo record, Envelope e, int c, String title, String unit) {
            int n = e.buckets();
            double[] x = new double[4 * n];
            double[] y = new double[4 * n];
            for (int b = 0; b < n; b++) {
                long first = e.bucketStart(b);
                long last = e.bucketStart(b + 1) - 1;
                double middle = (record.sampleTimeSeconds(first) + record.sampleTimeSeconds(last)) / 2;
                // min and max in the order that joins first to last without crossing back: at one bucket per
                // pixel column the two are one vertical stroke either way.
                boolean rising = e.first(c, b) <= e.last(c, b);
                x[4 * b] = record.sampleTimeSeconds(first);
                y[4 * b] = e.first(c, b);
                x[4 * b + 1] = middle;
                y[4 * b + 1] = rising ? e.min(c, b) : e.max(c, b);
                x[4 * b + 2] = middle;
                y[4 * b + 2] = rising ? e.max(c, b) : e.min(c, b);
                x[4 * b + 3] = record.sampleTimeSeconds(last);
                y[4 * b + 3] = e.last(c, b);
            }
            return new Trace(title, unit, x, y);
        }
    }

    private EcgStrip() {
    }

    /** The buckets to ask for a plot {@code widthPx} wide: one per pixel column of its plot area. */
    public static int bucketsFor(int widthPx) {
        return Math.max(1, widthPx - MARGIN_X_PX);
    }

    /** Draws {@code traces} over {@code [fromSeconds, toSeconds]} on a {@code widthPx} x {@code heightPx} image. */
    public static BufferedImage draw(String title, List<Trace> traces, double fromSeconds, double toSeconds,
                                     boolean grid, int widthPx, int heightPx) {
        Png.headless();
        int panelHeight = heightPx / traces.size();
        List<XYChart> panels = new ArrayList<>(traces.size());
        for (int i = 0; i < traces.size(); i++) {
            Trace t = traces.get(i);
            String name = i == 0 ? title + ": " + t.title() : t.title();
            panels.add(panel(name, t, fromSeconds, toSeconds, grid, widthPx, panelHeight, i == traces.size() - 1));
        }
        return Png.grid(panels, 1, widthPx, heightPx);
    }

    private static XYChart panel(String name, Trace t, double fromSeconds, double toSeconds, boolean grid,
                                 int widthPx, int heightPx, boolean bottom) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : t.values()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        // Whole major squares (0.5) around the trace, and at least one.
        double major = MINOR_VALUE * MAJOR_EVERY;
        double low = Math.floor(min / major) * major;
        double high = Math.ceil(max / major) * major;
        if (!(high > low)) {
            low -= major;
            high += major;
        }
        XYChart chart = new XYChart(widthPx, heightPx);
        chart.setTitle(name);
        chart.setXAxisTitle(bottom ? "s" : "");
        chart.setYAxisTitle(t.unit().isEmpty() ? "value" : t.unit());
        XYStyler s = chart.getStyler();
        s.setLegendVisible(false);
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderColor(grid ? MAJOR : Color.GRAY);
        s.setPlotGridLinesVisible(!grid);
        s.setXAxisMin(fromSeconds);
        s.setXAxisMax(toSeconds);
        s.setYAxisMin(low);
        s.setYAxisMax(high);
        s.setYAxisDecimalPattern("0.0");
        s.setPlotContentSize(1.0); // the axes end at FROM and TO, where the grid and the trace end
        s.setChartTitlePadding(2);
        s.setChartPadding(6);
        if (grid) {
            double plotWidth = Math.max(1, widthPx - MARGIN_X_PX);
            double plotHeight = Math.max(1, heightPx - MARGIN_Y_PX);
            double secondPx = plotWidth / (toSeconds - fromSeconds);
            double valuePx = plotHeight / (high - low);
            addGrid(chart, fromSeconds, toSeconds, low, high, secondPx * MINOR_SECONDS, valuePx * MINOR_VALUE);
        }
        XYSeries trace = chart.addSeries("trace", t.seconds(), t.values());
        trace.setMarker(SeriesMarkers.NONE);
        trace.setLineColor(TRACE);
        trace.setLineWidth(1.3f);
        return chart;
    }

    /** The paper's lines, as series broken by NaN points: minor first, so major ones are drawn over them. */
    private static void addGrid(XYChart chart, double fromSeconds, double toSeconds, double low, double high,
                                double minorXPx, double minorYPx) {
        for (boolean majorPass : new boolean[] {false, true}) {
            int every = majorPass ? MAJOR_EVERY : 1;
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            if (minorXPx * every >= MIN_GRID_PX) {
                for (long k = (long) Math.ceil(fromSeconds / MINOR_SECONDS); k * MINOR_SECONDS <= toSeconds; k++) {
                    if (k % MAJOR_EVERY == 0 == majorPass) {
                        line(x, y, k * MINOR_SECONDS, low, k * MINOR_SECONDS, high);
                    }
                }
            }
            if (minorYPx * every >= MIN_GRID_PX) {
                for (long k = Math.round(low / MINOR_VALUE); k * MINOR_VALUE <= high + 1e-9; k++) {
                    if (k % MAJOR_EVERY == 0 == majorPass) {
                        line(x, y, fromSeconds, k * MINOR_VALUE, toSeconds, k * MINOR_VALUE);
                    }
                }
            }
            if (!x.isEmpty()) {
                XYSeries lines = chart.addSeries(majorPass ? "major" : "minor", x, y);
                lines.setMarker(SeriesMarkers.NONE);
                lines.setLineColor(majorPass ? MAJOR : MINOR);
                lines.setLineStyle(new BasicStroke(majorPass ? 1.0f : 0.6f));
            }
        }
    }

    private static void line(List<Double> x, List<Double> y, double x0, double y0, double x1, double y1) {
        x.add(x0);
        y.add(y0);
        x.add(x1);
        y.add(y1);
        x.add(x1);
        y.add(Double.NaN);
    }
}
