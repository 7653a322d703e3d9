package dev.courier.cli.plot;

import dev.courier.cli.common.AtomicFile;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * Lays charts out on one image and writes it as a PNG, atomically ({@link AtomicFile}). AWT runs headless: the
 * command line has no display and must not look for one. For one thread.
 */
public final class Png {
    private Png() {
    }

    /** Makes AWT headless unless the JVM was told otherwise; call before the first chart is built. */
    public static void headless() {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /**
     * Paints {@code charts} on a {@code widthPx} x {@code heightPx} image in a grid of {@code columns}, row by row,
     * each in an equal cell (pixels left over by the division stay at the bottom and right, white).
     */
    public static BufferedImage grid(List<? extends Chart<?, ?>> charts, int columns, int widthPx, int heightPx) {
        int rows = (charts.size() + columns - 1) / columns;
        int cellWidth = widthPx / columns;
        int cellHeight = heightPx / rows;
        BufferedImage image = new BufferedImage(widthPx, heightPx, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, widthPx, heightPx);
            for (int i = 0; i < charts.size(); i++) {
                Graphics2D cell = (Graphics2D) g.create((i % columns) * cellWidth, (i / columns) * cellHeight,
                        cellWidth, cellHeight);
                try {
                    charts.get(i).paint(cell, cellWidth, cellHeight);
                } finally {
                    cell.dispose();
                }
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    /** Writes {@code image} to {@code file} as PNG: under a temporary name, renamed when whole. */
    public static void write(BufferedImage image, Path file) throws IOException {
        try (AtomicFile out = AtomicFile.create(file)) {
            if (!ImageIO.write(image, "png", out.stream())) {
                throw new IOException("this Java has no PNG writer");
            }
            out.commit();
        }
    }
}
