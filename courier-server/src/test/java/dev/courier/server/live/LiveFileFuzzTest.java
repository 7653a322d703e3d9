package dev.courier.server.live;

import static dev.courier.protocol.fuzz.FuzzInput.EXECUTION_TIMEOUT_SECONDS;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.courier.protocol.fuzz.AllocationBudget;
import dev.courier.protocol.fuzz.FuzzInput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the live store's reading of a record file at start-up (its header, a torn last row, its rows) and the
 * rebuild of one with no whole header from the log: the input is a flags byte and the bytes of {@code r.live}, laid
 * out in a fresh live directory and opened by {@link LiveStore#open}. {@link #LOG} adds a log, made by the real
 * writer, that holds record {@code r} ({@link #CHANNELS} channels at {@link #RATE_HZ} from {@link #START_SECONDS}, the
 * shape of the seeds' files) from sample 0, or with {@link #LOG_FROM_LATER} from sample {@link #LATER_SAMPLE} only,
 * which cannot make it again. {@code mvn verify} replays the committed corpus ({@code LiveFileFuzzTestInputs/records/},
 * written by {@link LiveFuzzSeeds}); {@code bench/fuzz.sh} fuzzes from it.
 *
 * <p>The oracle, for every input: {@link LiveDirectoryOracle} (a typed refusal that changes nothing, or a clean
 * recovery that a close and a second open keep as it is), and, by the layout of docs/robustness.md read here on its
 * own: a file with a whole, good header opens, its whole rows the record's first samples bit for bit, followed by the
 * log's when it fits them; one without is made again from a log that holds the record from sample 0, and refused,
 * naming it, when no log does; and one execution stays within its {@link AllocationBudget}.
 */
class LiveFileFuzzTest {
    static final int LOG = 0x01;
    static final int LOG_FROM_LATER = 0x02;
    static final String RECORD = "r";
    static final int CHANNELS = 2;
    static final double RATE_HZ = 250;
    static final double START_SECONDS = 10.0;
    static final int LATER_SAMPLE = 3;
    /** Rows the log holds: two entries, of 4 and 2 rows. */
    static final int LOG_ROWS = 6;

    @TempDir
    static Path root;
    private static LiveDirectoryOracle oracle;

    @FuzzTest
    @Timeout(EXECUTION_TIMEOUT_SECONDS) // per input: a hang is a finding
    void records(byte[] data) throws IOException {
        if (data.length > FuzzInput.MAX_INPUT_BYTES) {
            return;
        }
        if (oracle == null) {
            oracle = new LiveDirectoryOracle(root);
        }
        int flags = data.length > 0 ? data[0] : 0;
        byte[] file = data.length > 0 ? Arrays.copyOfRange(data, 1, data.length) : data;
        Path dir = oracle.freshDirectory();
        Path path = dir.resolve(RECORD + LiveFile.SUFFIX);
        Files.write(path, file);
        long logFirst = (flags & LOG_FROM_LATER) != 0 ? LATER_SAMPLE : 0;
        if ((flags & LOG) != 0) {
            try (LiveLog log = LiveLog.create(dir, 1)) {
                log.add(RECORD, logFirst, 4, CHANNELS, RATE_HZ, START_SECONDS, logValues(logFirst, 4));
                log.add(RECORD, logFirst + 4, 2, CHANNELS, RATE_HZ, START_SECONDS, logValues(logFirst + 4, 2));
                log.commit();
            }
        }
        boolean logFromStart = (flags & LOG) != 0 && logFirst == 0;
        // A record costs heap per channel for each snapshot of it, rows or none (a column, a name and a label each:
        // about 0.7 KB per channel for the execution, 2.6 KB with Jazzer's hooks on), and two bytes of header declare
        // up to 65,535 channels: the budget allows 4 KiB per channel declared, so that rows reserved per channel (8 KiB
        // for 1024 rows) or anything else a field would cost beyond that still shows.
        int declaredChannels = file.length >= 8 ? Short.toUnsignedInt(ByteBuffer.wrap(file)
                .order(ByteOrder.LITTLE_ENDIAN).getShort(6)) : 0;
        AllocationBudget.of((16 << 20) + ((long) declaredChannels << 12), 64, data.length).run("opening a live record file"
                        + " of " + file.length + " bytes declaring " + declaredChannels + " channels",
                () -> {
                    try {
                        check(dir, path, file, (flags & LOG) != 0 ? logFirst : -1, logFromStart);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }

    /** @param logFirst the log's first sample of the record, or -1 when there is no log */
    private static void check(Path dir, Path path, byte[] file, long logFirst, boolean logFromStart)
            throws IOException {
        Header h = Header.of(file);
        LiveDirectoryOracle.Outcome outcome = oracle.openAndCheck(dir);
        switch (outcome) {
            case LiveDirectoryOracle.Refused refused -> {
                if (h != null || logFromStart || !refused.refusal().file().equals(path)) {
                    throw new AssertionError("refused (" + h + ", log from sample " + logFirst + "): "
                            + refused.refusal().getMessage(), refused.refusal());
                }
            }
            case LiveDirectoryOracle.Recovered recovered -> {
                LiveDirectoryOracle.Samples r = recovered.records().get(RECORD);
                if (h == null && !logFromStart) {
                    throw new AssertionError("a file with no whole header, which no log makes again, came back as " + r);
                }
                LiveDirectoryOracle.Samples expected = h != null ? h.samples(file, logFirst) : fromLog(0);
                if (!expected.equals(r)) {
                    throw new AssertionError("record " + RECORD + " came back as " + r + " instead of " + expected);
                }
            }
        }
    }

    /** The fields of a record file's header, where {@code file} has a whole, good one (null otherwise). */
    private record Header(int channels, double rateHz, double startSeconds) {
        static Header of(byte[] file) {
            if (file.length < LiveFile.HEADER_BYTES) {
                return null;
            }
            ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
            int channels = Short.toUnsignedInt(b.getShort(6));
            double rate = b.getDouble(8);
            double start = b.getDouble(16);
            boolean good = b.getInt(0) == LiveFile.MAGIC && b.getShort(4) == LiveFile.VERSION && channels >= 1
                    && rate > 0 && Double.isFinite(rate) && Double.isFinite(start);
            return good ? new Header(channels, rate, start) : null;
        }

        /** The file's whole rows, then the log's beyond them when the log fits the record. */
        LiveDirectoryOracle.Samples samples(byte[] file, long logFirst) {
            int rowBytes = channels * Double.BYTES;
            int fileRows = (file.length - LiveFile.HEADER_BYTES) / rowBytes;
            boolean fits = logFirst >= 0 && channels == CHANNELS && rateHz == RATE_HZ && startSeconds == START_SECONDS
                    && logFirst <= fileRows;
            int rows = fits ? (int) Math.max(fileRows, logFirst + LOG_ROWS) : fileRows;
            double[][] values = new double[channels][rows];
            ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < fileRows; i++) {
                for (int c = 0; c < channels; c++) {
                    values[c][i] = b.getDouble(LiveFile.HEADER_BYTES + i * rowBytes + c * Double.BYTES);
                }
            }
            LiveDirectoryOracle.Samples log = fits ? fromLog(logFirst) : null;
            for (int i = fileRows; i < rows; i++) {
                for (int c = 0; c < channels; c++) {
                    values[c][i] = log.values()[c][i];
                }
            }
            return new LiveDirectoryOracle.Samples(channels, rateHz, startSeconds, values);
        }
    }

    /** The record as the log holds it, samples 0 up to its end ({@code NaN} before {@code logFirst}). */
    private static LiveDirectoryOracle.Samples fromLog(long logFirst) {
        int rows = (int) logFirst + LOG_ROWS;
        double[][] values = new double[CHANNELS][rows];
        for (int i = 0; i < rows; i++) {
            for (int c = 0; c < CHANNELS; c++) {
                values[c][i] = i < logFirst ? Double.NaN : value(i, c);
            }
        }
        return new LiveDirectoryOracle.Samples(CHANNELS, RATE_HZ, START_SECONDS, values);
    }

    static double value(long sample, int channel) {
        return sample * 0.25 - channel;
    }

    /** Rows {@code [first, first + rows)} of the log, row-major. */
    static double[] logValues(long first, int rows) {
        double[] v = new double[rows * CHANNELS];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < CHANNELS; c++) {
                v[r * CHANNELS + c] = value(first + r, c);
            }
        }
        return v;
    }
}
