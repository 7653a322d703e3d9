package dev.courier.cli.plot;

import dev.courier.cli.common.Numbers;
import dev.courier.client.BinEdges;
import dev.courier.client.BinnedHistogram;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.CategoryStyler;

/**
 * Draws histograms as bar charts, one per record in a grid, bins labelled by their lower edge (the first bin also
 * holds the values below it, the last those above it). For one thread.
 */
public final class HistogramChart {
    /** The bars' colour. */
    public static final Color BAR = new Color(0x2B, 0x6C, 0xB0);
    /** A panel's size when the command gives none. */
    public static final int PANEL_WIDTH_PX = 420;
    public static final int PANEL_HEIGHT_PX = 300;

    private HistogramChart() {
    }

    /** Columns of the grid for {@code panels} charts: as square as it goes. */
    public static int columns(int panels) {
        return (int) Math.ceil(Math.sqrt(panels));
    }

    public static BufferedImage draw(Map<String, BinnedHistogram> histograms, int widthPx, int heightPx) {
        Png.headless();
        int columns = columns(histograms.size());
        int rows = (histograms.size() + columns - 1) / columns;
        List<CategoryChart> charts = new ArrayList<>(histograms.size());
        for (Map.Entry<String, BinnedHistogram> e : histograms.entrySet()) {
            charts.add(chart(e.getKey(), e.getValue(), widthPx / columns, heightPx / rows));
        }
        return Png.grid(charts, columns, widthPx, heightPx);
    }

    private static CategoryChart chart(String record, BinnedHistogram h, int widthPx, int heightPx) {
        BinEdges edges = h.edges();
        List<String> labels = new ArrayList<>(edges.bins());
        List<Long> counts = new ArrayList<>(edges.bins());
        for (int b = 0; b < edges.bins(); b++) {
            labels.add(Numbers.plain(edges.edge(b)));
            counts.add(h.count(b));
        }
        CategoryChart chart = new CategoryChart(widthPx, heightPx);
        chart.setTitle("record " + record + " (" + h.total() + " values)");
        chart.setXAxisTitle("bin from (outer bins open-ended)");
        chart.setYAxisTitle("count");
        CategoryStyler s = chart.getStyler();
        s.setLegendVisible(false);
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setAvailableSpaceFill(0.9);
        s.setXAxisLabelRotation(edges.bins() > 10 ? 90 : 0);
        s.setPlotContentSize(1.0);
        s.setXAxisTicksVisible(edges.bins() <= 40);
        long highest = 1;
        for (int b = 0; b < edges.bins(); b++) {
            highest = Math.max(highest, h.count(b));
        }
        s.setYAxisMin(0.0);
        s.setYAxisMax(highest * 1.12); // headroom above the highest bar
        s.setChartPadding(6);
        CategorySeries bars = chart.addSeries("count", labels, counts);
        bars.setFillColor(BAR);
        return chart;
    }
}
