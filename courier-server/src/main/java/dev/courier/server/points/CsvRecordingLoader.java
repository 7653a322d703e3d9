package dev.courier.server.points;

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
 * Loads every {@code *.csv} of a directory as a {@link Recording}: record id = file name without {@code .csv};
 * first column time in seconds, the rest channels numbered from 1; an optional header row names the channels.
 * A malformed file is reported with its name and line number and skipped; the others still load.
 */
public final class CsvRecordingLoader {
    /** Loaded recordings plus one line per file that could not be loaded. */
    public record Result(List<Recording> recordings, List<String> problems) {
        public Result {
            recordings = List.copyOf(recordings);
            problems = List.copyOf(problems);
        }
    }

    private CsvRecordingLoader() {
    }

    public static Result loadDirectory(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.csv")) {
            for (Path p : stream) {
                if (Files.isRegularFile(p)) {
                    files.add(p);
                }
            }
        }
        files.sort(null);
        List<Recording> recordings = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Path file : files) {
            try {
                recordings.add(load(file));
            } catch (MalformedCsvException e) {
                problems.add(e.getMessage());
            }
        }
        return new Result(recordings, problems);
    }

    /** Thrown for a file that is not a valid recording; the message names the file and line. */
    public static final class MalformedCsvException extends Exception {
        MalformedCsvException(String message) {
            super(message, null, false, false);
        }
    }

    public static Recording load(Path file) throws IOException, MalformedCsvException {
        String name = file.getFileName().toString();
        String id = name.endsWith(".csv") ? name.substring(0, name.length() - 4) : name;
        List<String> channelNames = null;
        int columns = -1;
        double[] times = new double[1024];
        int[] lines = new int[1024];
        double[][] values = null;
        int n = 0;
        int lineNumber = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                String[] fields = line.split(",", -1);
                if (n == 0 && channelNames == null && !isNumber(fields[0].strip())) {
                    if (fields.length < 2) {
                        throw bad(name, lineNumber, "header needs a time column and at least one channel");
                    }
                    channelNames = new ArrayList<>();
                    for (int i = 1; i < fields.length; i++) {
                        channelNames.add(fields[i].strip());
                    }
                    columns = fields.length;
                    continue;
                }
                if (columns < 0) {
                    columns = fields.length;
                    if (columns < 2) {
                        throw bad(name, lineNumber, "expected a time column and at least one channel");
                    }
                }
                if (fields.length != columns) {
                    throw bad(name, lineNumber, "expected " + columns + " fields, found " + fields.length);
                }
                if (values == null) {
                    values = new double[columns - 1][times.length];
                }
                if (n == times.length) {
                    times = Arrays.copyOf(times, n * 2);
                    lines = Arrays.copyOf(lines, n * 2);
                    for (int c = 0; c < values.length; c++) {
                        values[c] = Arrays.copyOf(values[c], n * 2);
                    }
                }
                lines[n] = lineNumber;
                times[n] = parse(fields[0], name, lineNumber, "time");
                if (n > 0 && !(times[n] > times[n - 1])) {
                    throw bad(name, lineNumber, "time " + fields[0].strip() + " does not increase");
                }
                for (int c = 1; c < columns; c++) {
                    values[c - 1][n] = parse(fields[c], name, lineNumber, "channel " + c);
                }
                n++;
            }
        } catch (java.nio.charset.MalformedInputException e) {
            throw bad(name, lineNumber + 1, "not UTF-8 text");
        }
        if (n < 2) {
            throw bad(name, lineNumber, "needs at least two samples to know its rate, found " + n);
        }
        checkUniform(times, lines, n, name);
        double rateHz = rate(times, n);
        double[][] columnsOut = new double[values.length][];
        for (int c = 0; c < values.length; c++) {
            columnsOut[c] = Arrays.copyOf(values[c], n);
        }
        if (channelNames == null) {
            channelNames = new ArrayList<>();
            for (int c = 1; c <= values.length; c++) {
                channelNames.add("ch" + c);
            }
        }
        return new Recording(id, channelNames, times[0], rateHz, columnsOut);
    }

    private static double rate(double[] times, int n) {
        double rate = (n - 1) / (times[n - 1] - times[0]);
        double rounded = Math.rint(rate);
        // Sample times are printed in decimal, so 250 Hz comes out as 249.99999999999997; snap it back so that
        // index / rate reproduces the times in the file exactly.
        return Math.abs(rate - rounded) < 1e-6 * rate ? rounded : rate;
    }

    /** Every time must sit where the first interval says it should, within 1% of that interval. */
    private static void checkUniform(double[] times, int[] lines, int n, String name) throws MalformedCsvException {
        double step = times[1] - times[0];
        for (int i = 2; i < n; i++) {
            double expected = times[0] + i * step;
            if (Math.abs(times[i] - expected) > step * 0.01) {
                throw bad(name, lines[i], "time " + times[i] + " s breaks the uniform sampling every " + step
                        + " s (expected " + expected + " s)");
            }
        }
    }

    private static double parse(String field, String file, int line, String what) throws MalformedCsvException {
        String s = field.strip();
        try {
            double v = Double.parseDouble(s);
            if (!Double.isFinite(v)) {
                throw bad(file, line, what + " is not a finite number: '" + s + "'");
            }
            return v;
        } catch (NumberFormatException e) {
            throw bad(file, line, what + " is not a number: '" + s + "'");
        }
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static MalformedCsvException bad(String file, int line, String why) {
        return new MalformedCsvException(file + " line " + line + ": " + why);
    }
}
