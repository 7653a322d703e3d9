package dev.courier.journal;

import static dev.courier.protocol.fuzz.FuzzInput.EXECUTION_TIMEOUT_SECONDS;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.courier.protocol.ByteRange;
import dev.courier.protocol.Sha256;
import dev.courier.protocol.fuzz.AllocationBudget;
import dev.courier.protocol.fuzz.FuzzInput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes the transfer journal reader: the input is a flags byte and then a journal file, which
 * {@link TransferJournal#open} reads for the transfer {@link #TRANSFER} and {@link TransferJournal#verified} checks
 * against a part file of {@link #PART_BYTES} known bytes. Header and entries carry CRC32Cs a fuzzer would almost
 * never guess, so the flags ask the target to repair them, and what lies behind the checksums gets fuzzed too:
 * {@link #VALID_HEADER} puts {@link #TRANSFER}'s header before the fuzzer's bytes, {@link #REPAIR_ENTRY_CRCS}
 * gives each whole 20-byte entry after it its right CRC, and {@link #REPAIR_DATA_CRCS} also the CRC32C of the part
 * file's bytes it names, where they exist. {@code mvn verify} replays the committed corpus
 * ({@code TransferJournalFuzzTestInputs/journal/}); {@code bench/fuzz.sh} fuzzes from it.
 *
 * <p>The oracle, for every input: opening and verifying throw nothing (a journal on disk may hold anything after a
 * crash: the reader's typed answer is "not resumed", with a reason); the ranges verified lie in the part file and
 * the transfer; the journal resumed survives a round trip: closed, one entry appended and opened again, it gives
 * the same entries plus that one, with no reason to restart; and one execution stays within its
 * {@link AllocationBudget}.
 */
class TransferJournalFuzzTest {
    static final int VALID_HEADER = 0x01;
    static final int REPAIR_ENTRY_CRCS = 0x02;
    static final int REPAIR_DATA_CRCS = 0x04;
    /** The transfer every input's journal is opened for: a 4 KiB file of {@link #part()} bytes. */
    static final int PART_BYTES = 4096;
    static final TransferJournal.Header TRANSFER = new TransferJournal.Header(PART_BYTES, 1_700_000_000_000L,
            new Sha256(new byte[32]));

    @TempDir
    static Path dir;

    @FuzzTest
    @Timeout(EXECUTION_TIMEOUT_SECONDS) // per input: a hang is a finding
    void journal(byte[] data) throws IOException {
        if (data.length > FuzzInput.MAX_INPUT_BYTES) {
            return;
        }
        int flags = data.length > 0 ? data[0] : 0;
        byte[] journal = repaired(flags, data.length > 0 ? Arrays.copyOfRange(data, 1, data.length) : data);
        Path path = dir.resolve("fuzz.courier-part.journal");
        Path partPath = dir.resolve("fuzz.courier-part");
        Files.write(path, journal);
        Files.write(partPath, part());
        AllocationBudget.of(16 << 20, 64, data.length).run("opening a journal of " + journal.length + " bytes",
                () -> {
                    try {
                        openVerifyAndReopen(path, partPath);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }

    private static void openVerifyAndReopen(Path path, Path partPath) throws IOException {
        TransferJournal.Opened opened = TransferJournal.open(path, TRANSFER);
        List<TransferJournal.Entry> entries = opened.entries();
        try (FileChannel part = FileChannel.open(partPath, StandardOpenOption.READ)) {
            RangeSet ok = TransferJournal.verified(entries, part, TRANSFER.sizeBytes());
            for (ByteRange r : ok.ranges()) {
                if (r.offsetBytes() < 0 || r.lengthBytes() <= 0 || r.endBytes() > PART_BYTES) {
                    throw new AssertionError("verified " + r + " outside the " + PART_BYTES + "-byte part file");
                }
            }
        }
        TransferJournal.Entry extra = new TransferJournal.Entry(0, 1, 0x12345678);
        opened.journal().append(extra);
        opened.journal().close();

        TransferJournal.Opened again = TransferJournal.open(path, TRANSFER);
        again.journal().close();
        List<TransferJournal.Entry> expected = new ArrayList<>(entries);
        expected.add(extra);
        if (!again.entries().equals(expected) || again.restartReason().isPresent()) {
            throw new AssertionError("reopened, the journal gave " + again.entries() + " (restart: "
                    + again.restartReason() + ") instead of " + expected);
        }
    }

    /** The part file: {@link #PART_BYTES} bytes that differ from chunk to chunk. */
    static byte[] part() {
        byte[] b = new byte[PART_BYTES];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 31 + (i >>> 8));
        }
        return b;
    }

    /** The journal file {@code flags} asks for, made from the fuzzer's {@code bytes}. */
    static byte[] repaired(int flags, byte[] bytes) {
        byte[] file = bytes;
        int entriesFrom = 0;
        if ((flags & VALID_HEADER) != 0) {
            file = new byte[TransferJournal.HEADER_BYTES + bytes.length];
            ByteBuffer h = ByteBuffer.wrap(file);
            h.putInt(TransferJournal.MAGIC).putShort((short) TransferJournal.VERSION).putLong(TRANSFER.sizeBytes())
                    .putLong(TRANSFER.modifiedMillis()).put(TRANSFER.sha256().bytes());
            h.putInt(crc(file, 0, TransferJournal.HEADER_BYTES - 4)).put(bytes);
            entriesFrom = TransferJournal.HEADER_BYTES;
        }
        if ((flags & (REPAIR_ENTRY_CRCS | REPAIR_DATA_CRCS)) == 0) {
            return file;
        }
        byte[] part = part();
        ByteBuffer b = ByteBuffer.wrap(file);
        for (int at = entriesFrom; at + TransferJournal.ENTRY_BYTES <= file.length; at += TransferJournal.ENTRY_BYTES) {
            long offset = b.getLong(at);
            int length = b.getInt(at + 8);
            if ((flags & REPAIR_DATA_CRCS) != 0 && offset >= 0 && length > 0 && length <= part.length - offset) {
                b.putInt(at + 12, crc(part, (int) offset, length));
            }
            b.putInt(at + 16, crc(file, at, 16));
        }
        return file;
    }

    private static int crc(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return (int) c.getValue();
    }
}
