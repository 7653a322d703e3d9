package dev.courier.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The answers the bench expects: every {@code *.csv} of a data directory read here, independently of the
 * server's loader, as (time, channel values) rows. Record ids are file names without {@code .csv}; an optional
 * header row is skipped. Either every row is read, or (for data sets too big to hold) a given number of rows per
 * record spread evenly over the file, found by seeking, each with its sample index worked out from its time.
 * Immutable after loading; read from any thread.
 *
 * <p>It parses the files itself rather than through the server's loader: a checker that shared the server's code
 * would share its mistakes. The targets and engines of this package read it; to everyone else it is the truth
 * handed from {@link #load} to them.
 */
public final class PointData {
    private final List<String> records;
    private final double[][] times;
    private final double[][][] values;
    /** Per record, the sample index of each row kept; null when every row is kept (row = sample index). */
    private final int[][] sampleIndexes;
    private final int samplesPerRecord;

    private PointData(List<String> records, double[][] times, double[][][] values, int[][] sampleIndexes) {
        this.records = List.copyOf(records);
        this.times = times;
        this.values = values;
        this.sampleIndexes = sampleIndexes;
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
     * @throws IOException when the directory or a file cannot be read
     */
    public static PointData load(Path dir, List<String> only) throws IOException {
        return load(dir, only, 0);
    }

    /**
     * Loads {@code dir} as {@link #load(Path, List)} does, but with {@code rowsPerRecord > 0} reads only that many
     * rows of each record, spread evenly over the file by seeking; 0 reads every row.
     *
     * @throws IllegalArgumentException as {@link #load(Path, List)} does
     * @throws IOException when the directory or a file cannot be read
     */
    public static PointData load(Path dir, List<String> only, int rowsPerRecord) throws IOException {
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
        int[][] indexes = rowsPerRecord > 0 ? new int[files.size()][] : null;
        for (int r = 0; r < files.size(); r++) {
            String name = files.get(r).getFileName().toString();
            ids.add(name.substring(0, name.length() - ".csv".length()));
            if (indexes != null) {
                sampleCsv(files.get(r), r, rowsPerRecord, times, values, indexes);
            } else {
                readCsv(files.get(r), r, times, values);
            }
        }
        return new PointData(ids, times, values, indexes);
    }

    /**
     * Reads {@code rows} rows of {@code file} at evenly spaced byte offsets (each the first whole line after its
     * offset), and works out each row's sample index from its time and the first two rows' times.
     */
    private static void sampleCsv(Path file, int r, int rows, double[][] times, double[][][] values,
                                  int[][] indexes) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = in.size();
            long at = 0;
            double[] first = null;
            double[] second = null;
            long dataStart = 0;
            while (second == null) {
                Line line = lineAt(in, file, at, size);
                if (line == null) {
                    throw new IllegalArgumentException(file + ": fewer than two samples");
                }
                double[] row = parseRow(line.text(), file);
                if (row != null) {
                    if (first == null) {
                        first = row;
                        dataStart = at;
                    } else {
                        second = row;
                    }
                }
                at = line.next();
            }
            double stepSeconds = second[0] - first[0];
            List<double[]> kept = new ArrayList<>(rows);
            List<Integer> keptIndexes = new ArrayList<>(rows);
            int last = -1;
            for (int j = 0; j < rows; j++) {
                long offset = dataStart + (long) ((double) j * (size - dataStart) / rows);
                Line line = offset == dataStart ? lineAt(in, file, offset, size) : nextLineAfter(in, file, offset, size);
                double[] row = line == null ? null : parseRow(line.text(), file);
                if (row == null) {
                    continue;
                }
                int index = (int) Math.round((row[0] - first[0]) / stepSeconds);
                if (index > last) {
                    kept.add(row);
                    keptIndexes.add(index);
                    last = index;
                }
            }
            int n = kept.size();
            int channels = first.length - 1;
            times[r] = new double[n];
            values[r] = new double[channels][n];
            indexes[r] = new int[n];
            for (int i = 0; i < n; i++) {
                double[] row = kept.get(i);
                if (row.length != first.length) {
                    throw new IllegalArgumentException(file + ": rows of different lengths");
                }
                times[r][i] = row[0];
                for (int c = 0; c < channels; c++) {
                    values[r][c][i] = row[c + 1];
                }
                indexes[r][i] = keptIndexes.get(i);
            }
        }
    }

    private record Line(String text, long next) {
    }

    /** The line that starts at {@code offset}, or null at the end of the file. */
    private static Line lineAt(FileChannel in, Path file, long offset, long size) throws IOException {
        if (offset >= size) {
            return null;
        }
        int window = 256;
        while (true) {
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(window, size - offset));
            while (b.hasRemaining() && in.read(b, offset + b.position()) > 0) {
                // keep reading
            }
            byte[] bytes = b.array();
            int end = 0;
            while (end < b.position() && bytes[end] != '\n') {
                end++;
            }
            if (end < b.position() || offset + b.position() >= size) {
                String text = new String(bytes, 0, end, StandardCharsets.UTF_8).strip();
                return new Line(text, offset + end + 1);
            }
            if (window > (1 << 24)) {
                throw new IllegalArgumentException(file + ": a line longer than 16 MiB at byte " + offset);
            }
            window *= 4;
        }
    }

    /** The first whole line that starts after {@code offset}. */
    private static Line nextLineAfter(FileChannel in, Path file, long offset, long size) throws IOException {
        Line partial = lineAt(in, file, offset, size);
        return partial == null ? null : lineAt(in, file, partial.next(), size);
    }

    /** Time and values of a data row; null for a blank or header line. */
    private static double[] parseRow(String line, Path file) {
        if (line.isBlank()) {
            return null;
        }
        String[] f = line.split(",", -1);
        if (!startsNumeric(f[0])) {
            return null;
        }
        double[] row = new double[f.length];
        try {
            for (int i = 0; i < f.length; i++) {
                row[i] = Double.parseDouble(f[i].strip());
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": not a number in '" + line + "'");
        }
        if (row.length < 2) {
            throw new IllegalArgumentException(file + ": no channel column");
        }
        return row;
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

    /** Rows every record has (the shortest record's count): the key space is records x this. */
    int samplesPerRecord() {
        return samplesPerRecord;
    }

    /** Rows kept of record {@code r} (index into {@link #records()}); at least {@link #samplesPerRecord()}. */
    int rows(int r) {
        return times[r].length;
    }

    /** Channels of record {@code r} (index into {@link #records()}). */
    int channels(int r) {
        return values[r].length;
    }

    /** The sample index on the server of row {@code row} of record {@code r}. */
    int sampleIndex(int r, int row) {
        return sampleIndexes == null ? row : sampleIndexes[r][row];
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
