package dev.courier.server.points;

import static dev.courier.protocol.fuzz.FuzzInput.EXECUTION_TIMEOUT_SECONDS;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.courier.protocol.fuzz.AllocationBudget;
import dev.courier.protocol.fuzz.FuzzInput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the CSV recording loader: the input is the whole CSV file, written to disk and parsed by
 * {@link CsvRecordingLoader#parse}. {@code mvn verify} replays the committed corpus
 * ({@code CsvRecordingLoaderFuzzTestInputs/csv/}); {@code bench/fuzz.sh} fuzzes from it.
 *
 * <p>The oracle, for every input: the loader returns a recording or throws its typed
 * {@link CsvRecordingLoader.MalformedCsvException}, nothing else; a recording it returns is well formed (at least
 * two samples, one name per channel, columns of one length, a positive finite rate); it survives the round trip
 * the server makes with it, CSV to {@link ColumnFile} and back, with every value the same bit for bit; and one
 * execution stays within its {@link AllocationBudget}.
 */
class CsvRecordingLoaderFuzzTest {
    @TempDir
    static Path dir;

    @FuzzTest
    @Timeout(EXECUTION_TIMEOUT_SECONDS) // per input: a hang is a finding
    void csv(byte[] data) throws IOException {
        if (data.length > FuzzInput.MAX_INPUT_BYTES) {
            return;
        }
        Path csv = dir.resolve("fuzz.csv");
        Files.write(csv, data);
        AllocationBudget.of(16 << 20, 256, data.length).run("loading a CSV of " + data.length + " bytes", () -> {
            CsvRecordingLoader.Parsed parsed;
            try {
                parsed = CsvRecordingLoader.parse(csv);
            } catch (CsvRecordingLoader.MalformedCsvException e) {
                return; // the typed error, with the file and line in its message
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            checkWellFormed(parsed);
            checkColumnFileRoundTrip(parsed, csv);
        });
    }

    private static void checkWellFormed(CsvRecordingLoader.Parsed p) {
        int channels = p.columns().length;
        if (channels < 1 || p.channelNames().size() != channels || p.sampleCount() < 2
                || !(p.rateHz() > 0) || !Double.isFinite(p.rateHz()) || !Double.isFinite(p.startTimeSeconds())) {
            throw new AssertionError("an impossible recording: " + channels + " channels, " + p.channelNames()
                    + ", " + p.sampleCount() + " samples, rate " + p.rateHz() + ", start " + p.startTimeSeconds());
        }
        for (double[] column : p.columns()) {
            if (column.length != p.sampleCount()) {
                throw new AssertionError("a column of " + column.length + " samples, not " + p.sampleCount());
            }
        }
    }

    /** What the server does with a CSV ({@link RecordingCache}): converts it to a column file and maps that. */
    private static void checkColumnFileRoundTrip(CsvRecordingLoader.Parsed p, Path csv) {
        Path col = csv.resolveSibling("fuzz.csv" + ColumnFile.SUFFIX);
        ColumnFile.Source source = new ColumnFile.Source(csv, p.id(), 1, 2);
        Recording r;
        try {
            ColumnFile.write(col, p, source);
            r = ColumnFile.open(col, source);
        } catch (IOException | ColumnFile.UnusableException e) {
            throw new AssertionError("the column file of a loaded CSV did not open", e);
        }
        if (!r.channelNames().equals(p.channelNames()) || r.sampleCount() != p.sampleCount()
                || r.rateHz() != p.rateHz() || r.startTimeSeconds() != p.startTimeSeconds()) {
            throw new AssertionError("the column file says " + r.channelNames() + ", " + r.sampleCount() + " at "
                    + r.rateHz() + " Hz from " + r.startTimeSeconds() + "; the CSV " + p.channelNames() + ", "
                    + p.sampleCount() + " at " + p.rateHz() + " Hz from " + p.startTimeSeconds());
        }
        for (int c = 0; c < p.columns().length; c++) {
            for (int i = 0; i < p.sampleCount(); i++) {
                double want = p.columns()[c][i];
                double got = r.value(c + 1, i);
                if (Double.doubleToRawLongBits(got) != Double.doubleToRawLongBits(want)) {
                    throw new AssertionError("channel " + (c + 1) + " sample " + i + " is " + want
                            + " in the CSV but " + got + " in its column file");
                }
            }
        }
    }
}
