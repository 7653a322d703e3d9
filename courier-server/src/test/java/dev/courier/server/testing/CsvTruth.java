package dev.courier.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The bundled data set read independently of the server's loader: each row's fields kept as the decimal text of
 * the file, so tests can compute expected values and histogram bins without any of the code under test.
 */
public final class CsvTruth {
    private final Map<String, List<String[]>> rows;

    private CsvTruth(Map<String, List<String[]>> rows) {
        this.rows = rows;
    }

    /** The data directory the build points the tests at. */
    public static Path dataDir() {
        String dir = System.getProperty("courier.data.dir");
        if (dir == null) {
            throw new IllegalStateException("system property courier.data.dir is not set (surefire sets it)");
        }
        return Path.of(dir);
    }

    public static CsvTruth load() {
        return load(dataDir());
    }

    public static CsvTruth load(Path dir) {
        Map<String, List<String[]>> rows = new TreeMap<>();
        try (var files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".csv")).toList()) {
                List<String[]> r = new ArrayList<>();
                for (String line : Files.readAllLines(p)) {
                    if (!line.isEmpty()) {
                        r.add(line.split(","));
                    }
                }
                String name = p.getFileName().toString();
                rows.put(name.substring(0, name.length() - 4), r);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new CsvTruth(rows);
    }

    public List<String> records() {
        return List.copyOf(rows.keySet());
    }

    public int samples(String record) {
        return rows.get(record).size();
    }

    /** The value text of row {@code index}, channel {@code channel} (from 1), exactly as the file has it. */
    public String valueText(String record, int index, int channel) {
        return rows.get(record).get(index)[channel];
    }

    public double value(String record, int index, int channel) {
        return Double.parseDouble(valueText(record, index, channel));
    }

    public String timeText(String record, int index) {
        return rows.get(record).get(index)[0];
    }

    /**
     * Bin of a value among ten bins over [-2, 2) with edges every 0.4, computed in exact decimal arithmetic:
     * values below -2 in bin 0, at or above 2 in bin 9, a value on an edge in the bin that starts there.
     */
    public static int exactBin(String valueText) {
        BigDecimal v = new BigDecimal(valueText);
        BigDecimal edge = new BigDecimal("-2.0");
        BigDecimal step = new BigDecimal("0.4");
        int bin = 0;
        for (int i = 1; i <= 9; i++) {
            if (v.compareTo(edge.add(step.multiply(BigDecimal.valueOf(i)))) >= 0) {
                bin = i;
            }
        }
        return bin;
    }

    /** Expected histogram of the first {@code count} samples of a record's channel. */
    public long[] histogram(String record, int count, int channel) {
        long[] h = new long[10];
        for (int i = 0; i < count; i++) {
            h[exactBin(valueText(record, i, channel))]++;
        }
        return h;
    }
}
