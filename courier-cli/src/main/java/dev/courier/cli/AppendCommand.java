package dev.courier.cli;

import dev.courier.client.Appended;
import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code courier append RECORD}: reads {@code time,ch1,ch2,...} CSV rows from standard input and appends them to a
 * live record, in batches of what has arrived (at most {@code --batch-rows}), a few APPENDs in flight at once.
 */
@Command(name = "append", mixinStandardHelpOptions = true,
        description = {"Append CSV rows (time,ch1,ch2,...) from standard input to a live record, creating it if new "
                + "(the server needs --live). A first row that is not numbers is taken for a header and skipped.",
                "Each batch is acknowledged once the server has it on disk."})
final class AppendCommand implements Callable<Integer> {
    /** APPENDs sent and not yet acknowledged, at most: keeps a fast source from queueing without bound. */
    static final int MAX_IN_FLIGHT = 8;

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions server;

    @Parameters(index = "0", paramLabel = "RECORD", description = "The live record's id.")
    String record;

    @Option(names = "--rate", paramLabel = "HZ", defaultValue = "250",
            description = "Sampling rate of the rows, Hz (default: ${DEFAULT-VALUE}); a new record gets it.")
    double rateHz;

    @Option(names = "--batch-rows", paramLabel = "N", defaultValue = "1000",
            description = "Most rows in one APPEND (default: ${DEFAULT-VALUE}); a batch goes as soon as the input "
                    + "has no more rows ready.")
    int batchRows;

    @Override
    public Integer call() throws IOException {
        if (batchRows < 1 || batchRows > 4096) {
            throw new IllegalArgumentException("--batch-rows must be 1 to 4096, not " + batchRows);
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        long rows = 0;
        long first = -1;
        long last = -1;
        try (CourierClient client = server.client(); Connection c = client.open()) {
            ArrayDeque<CompletableFuture<Appended>> inFlight = new ArrayDeque<>();
            CsvRows batch = new CsvRows(batchRows);
            long lineNumber = 0;
            for (String line; (line = in.readLine()) != null; ) {
                lineNumber++;
                if (!batch.add(line, lineNumber)) {
                    continue;
                }
                if (batch.full() || !in.ready()) {
                    inFlight.add(c.append(record, rateHz, batch.channels(), batch.times(), batch.values()));
                    batch.clear();
                    while (inFlight.size() >= MAX_IN_FLIGHT) {
                        Appended a = inFlight.poll().join();
                        first = first < 0 ? a.firstSample() : first;
                        last = a.firstSample() + a.rows() - 1;
                        rows += a.rows();
                    }
                }
            }
            if (batch.size() > 0) {
                inFlight.add(c.append(record, rateHz, batch.channels(), batch.times(), batch.values()));
            }
            for (CompletableFuture<Appended> f : inFlight) {
                Appended a = f.join();
                first = first < 0 ? a.firstSample() : first;
                last = a.firstSample() + a.rows() - 1;
                rows += a.rows();
            }
        } catch (RuntimeException e) {
            throw CourierException.unwrap(e);
        }
        PrintWriter err = spec.commandLine().getErr();
        err.println(rows == 0 ? "courier: no rows appended"
                : "courier: appended " + rows + " rows to " + record + " (samples " + first + " to " + last + ")");
        err.flush();
        return 0;
    }

    /** The rows of one batch: times and values (row-major), and the channel count the first row fixed. */
    static final class CsvRows {
        private final double[] times;
        private double[] values;
        private int size;
        private int channels;
        private boolean seenData;

        CsvRows(int capacity) {
            times = new double[capacity];
        }

        /**
         * Adds one CSV line; false for a blank line or a header (a first line that is not numbers).
         *
         * @throws IllegalArgumentException for a row that is not numbers or has another number of fields
         */
        boolean add(String line, long lineNumber) {
            String s = line.strip();
            if (s.isEmpty()) {
                return false;
            }
            String[] fields = s.split(",", -1);
            double[] row = new double[fields.length];
            try {
                for (int i = 0; i < fields.length; i++) {
                    row[i] = Double.parseDouble(fields[i].strip());
                }
            } catch (NumberFormatException e) {
                if (!seenData) {
                    seenData = true; // the header row
                    return false;
                }
                throw new IllegalArgumentException("line " + lineNumber + ": '" + s + "' is not time,ch1,... numbers");
            }
            seenData = true;
            if (fields.length < 2) {
                throw new IllegalArgumentException("line " + lineNumber + ": a row needs a time and a value");
            }
            if (channels == 0) {
                channels = fields.length - 1;
                values = new double[times.length * channels];
            } else if (fields.length - 1 != channels) {
                throw new IllegalArgumentException("line " + lineNumber + ": " + (fields.length - 1)
                        + " values; the rows before had " + channels);
            }
            times[size] = row[0];
            System.arraycopy(row, 1, values, size * channels, channels);
            size++;
            return true;
        }

        boolean full() {
            return size == times.length;
        }

        int size() {
            return size;
        }

        int channels() {
            return channels;
        }

        double[] times() {
            return Arrays.copyOf(times, size);
        }

        double[] values() {
            return Arrays.copyOf(values, size * channels);
        }

        void clear() {
            size = 0;
        }
    }
}
