package dev.courier.server.points;

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
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the column-file loader: the input is a flags byte and then the whole column file, written to disk and
 * opened by {@link ColumnFile#open}. A fuzzer would almost never get past the header's CRC32C, so the flags ask
 * the target to repair what it cannot guess, and the layout behind the checksum gets fuzzed too:
 * {@link #REPAIR_LENGTH} writes the file's real length into the header, {@link #REPAIR_CRC} its right checksum
 * (when the header length field is usable), and {@link #SOURCE_FROM_HEADER} opens it for the CSV size and time the
 * header names, as the server does for an up-to-date file. {@code mvn verify} replays the committed corpus
 * ({@code ColumnFileFuzzTestInputs/columns/}); {@code bench/fuzz.sh} fuzzes from it.
 *
 * <p>The oracle, for every input: the loader returns a recording or throws its typed
 * {@link ColumnFile.UnusableException}, nothing else; every sample of every channel of a recording it returns can
 * be read, and one name per channel; and one execution stays within its {@link AllocationBudget}.
 */
class ColumnFileFuzzTest {
    static final int REPAIR_LENGTH = 0x01;
    static final int REPAIR_CRC = 0x02;
    static final int SOURCE_FROM_HEADER = 0x04;

    @TempDir
    static Path dir;

    @FuzzTest
    @Timeout(EXECUTION_TIMEOUT_SECONDS) // per input: a hang is a finding
    void columns(byte[] data) throws IOException {
        if (data.length > FuzzInput.MAX_INPUT_BYTES) {
            return;
        }
        int flags = data.length > 0 ? data[0] : 0;
        byte[] file = repaired(flags, data.length > 0 ? Arrays.copyOfRange(data, 1, data.length) : data);
        Path col = dir.resolve("fuzz.csv" + ColumnFile.SUFFIX);
        Files.write(col, file);
        ByteBuffer header = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        boolean fromHeader = (flags & SOURCE_FROM_HEADER) != 0 && file.length >= ColumnFile.CHANNELS_OFFSET;
        ColumnFile.Source source = new ColumnFile.Source(dir.resolve("fuzz.csv"), "fuzz",
                fromHeader ? header.getLong(ColumnFile.SOURCE_SIZE_OFFSET) : 0,
                fromHeader ? header.getLong(ColumnFile.SOURCE_MODIFIED_OFFSET) : 0);
        AllocationBudget.of(16 << 20, 64, data.length).run("opening a column file of " + file.length + " bytes",
                () -> {
                    Recording r;
                    try {
                        r = ColumnFile.open(col, source);
                    } catch (ColumnFile.UnusableException e) {
                        return; // the typed error: the server converts the CSV again
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    readEverySample(r);
                });
    }

    private static void readEverySample(Recording r) {
        if (r.channelNames().size() != r.channelCount() || r.sampleCount() < 2) {
            throw new AssertionError(r.channelCount() + " channels named " + r.channelNames() + ", "
                    + r.sampleCount() + " samples");
        }
        for (int c = 1; c <= r.channelCount(); c++) {
            for (int i = 0; i < r.sampleCount(); i++) {
                r.value(c, i);
            }
        }
        r.sampleIndex(r.startTimeSeconds());
    }

    /** {@code file} with the repairs {@code flags} asks for, in place. */
    private static byte[] repaired(int flags, byte[] file) {
        if (file.length < ColumnFile.CHANNELS_OFFSET) {
            return file;
        }
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        if ((flags & REPAIR_LENGTH) != 0) {
            b.putLong(ColumnFile.FILE_LENGTH_OFFSET, file.length);
        }
        int headerLength = b.getInt(ColumnFile.HEADER_LENGTH_OFFSET);
        if ((flags & REPAIR_CRC) != 0 && headerLength >= ColumnFile.CHANNELS_OFFSET && headerLength <= file.length) {
            b.putInt(ColumnFile.HEADER_CRC_OFFSET, 0);
            CRC32C crc = new CRC32C();
            crc.update(file, 0, headerLength);
            b.putInt(ColumnFile.HEADER_CRC_OFFSET, (int) crc.getValue());
        }
        return file;
    }
}
