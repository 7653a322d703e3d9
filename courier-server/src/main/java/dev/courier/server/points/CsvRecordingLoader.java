package dev.courier.server.points;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

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

    private static final int READ_BUFFER_BYTES = 1 << 16;
    /** Rows the arrays start with; they double as rows come. */
    private static final int INITIAL_ROWS = 1024;

    private CsvRecordingLoader() {
    }

    /** Parses every {@code *.csv} of {@code dir} into the heap; the server uses {@link RecordingCache} instead. */
    public static Result loadDirectory(Path dir) throws IOException {
        List<Path> files = listCsvFiles(dir);
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

    /** The regular {@code *.csv} files of {@code dir}, sorted by name. */
    static List<Path> listCsvFiles(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.csv")) {
            for (Path p : stream) {
                if (Files.isRegularFile(p)) {
                    files.add(p);
                }
            }
        }
        files.sort(null);
        return files;
    }

    /** Thrown for a file that is not a valid recording; the message names the file and line. */
    public static final class MalformedCsvException extends Exception {
        MalformedCsvException(String message) {
            super(message, null, false, false);
        }
    }

    /** Parses {@code file} into a recording held on the heap; see {@link RecordingCache} for the mapped kind. */
    public static Recording load(Path file) throws IOException, MalformedCsvException {
        return parse(file).onHeap();
    }

    /**
     * A parsed CSV: one array of exactly {@code sampleCount} values per channel, and the header's time column title
     * (empty without a header row).
     */
    record Parsed(String id, List<String> channelNames, double startTimeSeconds, double rateHz,
                  double[][] columns, Optional<String> timeTitle) {
        int sampleCount() {
            return columns[0].length;
        }

        /** A recording over these arrays, on the heap. */
        Recording onHeap() {
            return new Recording(id, channelNames, startTimeSeconds, rateHz, Recording.columns(columns), timeTitle);
        }
    }

    /**
     * Reads {@code file} line by line like {@code BufferedReader.readLine} (lines end at LF, CR or CRLF). A line
     * of plain decimals ({@code -0.295}) is parsed straight from the bytes by {@link Decimals#parsePlain}, which
     * gives the same doubles as {@code Double.parseDouble}; any other line (a header, spaces, exponents, errors,
     * non-ASCII) goes through {@link Rows#acceptText}, which decodes it as strict UTF-8 and gives the verdict.
     */
    static Parsed parse(Path file) throws IOException, MalformedCsvException {
        String name = file.getFileName().toString();
        String id = name.endsWith(".csv") ? name.substring(0, name.length() - 4) : name;
        Rows rows = new Rows(name);
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[READ_BUFFER_BYTES];
            int length = 0;
            int lineStart = 0;
            int scanned = 0;
            boolean skipLineFeed = false;
            boolean eof = false;
            while (true) {
                if (skipLineFeed && lineStart < length) {
                    if (buffer[lineStart] == '\n') {
                        lineStart++;
                        scanned = lineStart;
                    }
                    skipLineFeed = false;
                }
                int end = scanned;
                while (end < length && buffer[end] != '\n' && buffer[end] != '\r') {
                    end++;
                }
                if (end < length) {
                    rows.accept(buffer, lineStart, end);
                    skipLineFeed = buffer[end] == '\r';
                    lineStart = end + 1;
                    scanned = lineStart;
                    continue;
                }
                scanned = end;
                if (eof) {
                    if (lineStart < length) {
                        rows.accept(buffer, lineStart, length);
                    }
                    break;
                }
                if (lineStart > 0) {
                    System.arraycopy(buffer, lineStart, buffer, 0, length - lineStart);
                    length -= lineStart;
                    scanned -= lineStart;
                    lineStart = 0;
                } else if (length == buffer.length) {
                    buffer = Arrays.copyOf(buffer, buffer.length * 2);
                }
                int read = in.read(buffer, length, buffer.length - length);
                if (read < 0) {
                    eof = true;
                } else {
                    length += read;
                }
            }
        }
        return rows.finish(id);
    }

    /** The rows of one file as they are read, with the rules every row must follow. */
    private static final class Rows {
        private final String name;
        private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        private List<String> channelNames;
        private String timeTitle;
        private int columns = -1;
        private double[] times = new double[INITIAL_ROWS];
        private int[] lines = new int[INITIAL_ROWS];
        private double[][] values;
        private int n;
        private int lineNumber;
        private double[] fields = new double[8];

        Rows(String name) {
            this.name = name;
        }

        void accept(byte[] bytes, int from, int to) throws MalformedCsvException {
            lineNumber++;
            if (!acceptPlain(bytes, from, to)) {
                String line;
                try {
                    line = utf8.decode(ByteBuffer.wrap(bytes, from, to - from)).toString();
                } catch (CharacterCodingException e) {
                    throw bad(name, lineNumber, "not UTF-8 text");
                }
                acceptText(line);
            }
        }

        /** A row of plain decimals that breaks no rule; false (nothing changed) for anything else. */
        private boolean acceptPlain(byte[] bytes, int from, int to) {
            int count = 0;
            int fieldStart = from;
            for (int i = from; i <= to; i++) {
                if (i == to || bytes[i] == ',') {
                    double v = Decimals.parsePlain(bytes, fieldStart, i);
                    if (Double.isNaN(v)) {
                        return false;
                    }
                    if (count == fields.length) {
                        fields = Arrays.copyOf(fields, count * 2);
                    }
                    fields[count++] = v;
                    fieldStart = i + 1;
                }
            }
            if ((columns < 0 && count < 2) || (columns >= 0 && count != columns)
                    || (n > 0 && !(fields[0] > times[n - 1]))) {
                return false;
            }
            if (columns < 0) {
                columns = count;
            }
            prepareRow();
            lines[n] = lineNumber;
            times[n] = fields[0];
            for (int c = 1; c < columns; c++) {
                values[c - 1][n] = fields[c];
            }
            n++;
            return true;
        }

        /** The rules for one line of text; throws for the first one broken. */
        private void acceptText(String line) throws MalformedCsvException {
            if (line.isBlank()) {
                return;
            }
            String[] fields = line.split(",", -1);
            if (n == 0 && channelNames == null && !isNumber(fields[0].strip())) {
                if (fields.length < 2) {
                    throw bad(name, lineNumber, "header needs a time column and at least one channel");
                }
                channelNames = new ArrayList<>();
                timeTitle = fields[0].strip();
                for (int i = 1; i < fields.length; i++) {
                    channelNames.add(fields[i].strip());
                }
                columns = fields.length;
                return;
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
            prepareRow();
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

        private void prepareRow() {
            if (values == null) {
                // Room for as many values as INITIAL_ROWS rows of one channel: a first row of thousands of
                // channels must not reserve INITIAL_ROWS rows of each (a 7 KB file took 29 MB) before a second
                // row shows the file holds any.
                int rows = Math.clamp(INITIAL_ROWS / (columns - 1), 2, INITIAL_ROWS);
                values = new double[columns - 1][rows];
            }
            if (n == times.length) {
                times = Arrays.copyOf(times, n * 2);
                lines = Arrays.copyOf(lines, n * 2);
            }
            if (n == values[0].length) {
                for (int c = 0; c < values.length; c++) {
                    values[c] = Arrays.copyOf(values[c], n * 2);
                }
            }
        }

        Parsed finish(String id) throws MalformedCsvException {
            if (n < 2) {
                throw bad(name, lineNumber, "needs at least two samples to know its rate, found " + n);
            }
            checkUniform(times, lines, n, name);
            double rateHz = rate(times, n);
            double[][] columnsOut = new double[values.length][];
            for (int c = 0; c < values.length; c++) {
                columnsOut[c] = values[c].length == n ? values[c] : Arrays.copyOf(values[c], n);
            }
            List<String> names = channelNames;
            if (names == null) {
                names = new ArrayList<>();
                for (int c = 1; c <= values.length; c++) {
                    names.add("ch" + c);
                }
            }
            return new Parsed(id, names, times[0], rateHz, columnsOut, Optional.ofNullable(timeTitle));
        }
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
