package dev.courier.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.ByteRange;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TransferJournal#verified} on entries that a damaged journal can hold behind valid CRCs (found by
 * {@link TransferJournalFuzzTest}, seed {@code entries-edges}): they are not claimed, and they do not stop the
 * good entries beside them from being claimed.
 */
class TransferJournalVerifiedTest {
    private static final int PART_BYTES = 4096;

    @TempDir
    Path dir;

    @Test
    void entriesWithANegativeOffsetAreNotClaimedAndDoNotThrow() throws Exception {
        byte[] part = bytes();
        List<TransferJournal.Entry> entries = List.of(entry(part, 0, 1024),
                new TransferJournal.Entry(-1, 1, 0), new TransferJournal.Entry(-4096, 4096, 0),
                new TransferJournal.Entry(Long.MIN_VALUE, 1, 0), entry(part, 1024, 1024));

        assertThat(verified(part, entries)).containsExactly(new ByteRange(0, 2048));
    }

    @Test
    void entriesWhoseEndPassesTwoToTheSixtyThreeAreNotClaimed() throws Exception {
        byte[] part = bytes();
        List<TransferJournal.Entry> entries = List.of(new TransferJournal.Entry(Long.MAX_VALUE, 1, 0),
                new TransferJournal.Entry(Long.MAX_VALUE - 10, 100, 0), entry(part, 4095, 1));

        assertThat(verified(part, entries)).containsExactly(new ByteRange(4095, 1));
    }

    private List<ByteRange> verified(byte[] part, List<TransferJournal.Entry> entries) throws Exception {
        Path path = dir.resolve("f.courier-part");
        Files.write(path, part);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return TransferJournal.verified(entries, ch, PART_BYTES).ranges();
        }
    }

    /** A true entry: the CRC32C of the part file's bytes it names, computed here. */
    private static TransferJournal.Entry entry(byte[] part, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(part, offset, length);
        return new TransferJournal.Entry(offset, length, (int) crc.getValue());
    }

    private static byte[] bytes() {
        byte[] b = new byte[PART_BYTES];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 7 + (i >>> 8));
        }
        return b;
    }
}
