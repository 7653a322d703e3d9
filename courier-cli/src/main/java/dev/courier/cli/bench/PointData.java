package dev.courier.cli.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The answers the bench expects: every {@code *.csv} of a data directory read here, independently of the
 * server's loader, as (time, channel values) rows. Record ids are file names without {@code .csv}; an optional
 * header row is skipped. Immutable after loading; read from any thread.
 */
final class PointData {
    private final List<String> records;
    private final double[][] times;
    private final double[][][] values;
    private final int samplesPerRecord;

    private PointData(List<String> records, double[][] times, double[][][] values) {
        this.records = List.copyOf(records);
        this.times = times;
        this.values = values;
        int min = Integer.MAX_VALUE;
        for (double[] t : times) {
            min = Math.min(min, t.length);
        }
        this.samplesPerRecord = min;
    }

    /**
     * Loads {@code dir}, keeping the records in {@code only} (all when null), in the order given.
     *
     * @throws IllegalArgumentException when a file is malformed, a requested record is missing or none is left
     */
    static PointData load(Path dir, List<String> only) throws IOException {
        List<Path> files = new ArrayList<>();
        if (only != null) {
            for (String id : only) {
                Path p = dir.resolve(id + ".csv");
                if (!Files.isRegularFile(p)) {
                    throw new IllegalArgumentException("no recording " + p + " for record '" + id + "'");
                }
                files.add(p);
            }
        } else {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.csv")) {
                s.forEach(files::add);
            }
            files.sort(null);
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no *.csv recordings in " + dir);
        }
        List<String> ids = new ArrayList<>();
        double[][] times = new double[files.size()][];
        double[][][] values = new double[files.size()][][];
        for (int r = 0; r < files.size(); r++) {
            String name = files.get(r).getFileName().toString();
            ids.add(name.substring(0, name.length() - ".csv".length()));
            readCsv(files.get(r), r, times, values);
        }
        return new PointData(ids, times, values);
    }

    private static void readCsv(Path file, int r, double[][] times, double[][][] values) throws IOException {
        double[] t = new double[4096];
        double[][] v = null;
        int n = 0;
        int lineNumber = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",", -1);
                if (n == 0 && v == null && !startsNumeric(f[0])) {
                    continue; // header
                }
                if (v == null) {
                    if (f.length < 2) {
                        throw new IllegalArgumentException(file + " line " + lineNumber + ": no channel column");
                    }
                    v = new double[f.length - 1][t.length];
                }
                if (f.length != v.length + 1) {
                    throw new IllegalArgumentException(file + " line " + lineNumber + ": expected " + (v.length + 1)
                            + " fields, found " + f.length);
                }
                if (n == t.length) {
                    t = Arrays.copyOf(t, n * 2);
                    for (int c = 0; c < v.length; c++) {
                        v[c] = Arrays.copyOf(v[c], n * 2);
                    }
                }
                try {
                    t[n] = Double.parseDouble(f[0].strip());
                    for (int c = 0; c < v.length; c++) {
                        v[c][n] = Double.parseDouble(f[c + 1].strip());
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(file + " line " + lineNumber + ": not a number");
                }
                n++;
            }
        }
        if (v == null || n == 0) {
            throw new IllegalArgumentException(file + ": no samples");
        }
        times[r] = Arrays.copyOf(t, n);
        values[r] = new double[v.length][];
        for (int c = 0; c < v.length; c++) {
            values[r][c] = Arrays.copyOf(v[c], n);
        }
    }

    private static boolean startsNumeric(String s) {
        String t = s.strip();
        return !t.isEmpty() && (Character.isDigit(t.charAt(0)) || t.charAt(0) == '-' || t.charAt(0) == '.');
    }

    List<String> records() {
        return records;
    }

    int recordCount() {
        return records.size();
    }

    /** Samples every record has (the shortest record's count): the key space is records x this. */
    int samplesPerRecord() {
        return samplesPerRecord;
    }

    /** Channels of record {@code r} (index into {@link #records()}). */
    int channels(int r) {
        return values[r].length;
    }

    /** The time column of row {@code sample}, exactly as parsed from the file. */
    double timeSeconds(int r, int sample) {
        return times[r][sample];
    }

    /** The value of row {@code sample} on {@code channel} (numbered from 1). */
    double value(int r, int channel, int sample) {
        return values[r][channel - 1][sample];
    }
}
