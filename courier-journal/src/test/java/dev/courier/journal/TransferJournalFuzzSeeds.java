package dev.courier.journal;

import static dev.courier.journal.TransferJournalFuzzTest.REPAIR_DATA_CRCS;
import static dev.courier.journal.TransferJournalFuzzTest.REPAIR_ENTRY_CRCS;
import static dev.courier.journal.TransferJournalFuzzTest.TRANSFER;
import static dev.courier.journal.TransferJournalFuzzTest.VALID_HEADER;

import dev.courier.protocol.fuzz.SeedCorpus;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes the seed corpus of {@link TransferJournalFuzzTest}: the journal of docs/protocol.md ("The journal file"),
 * journals {@link TransferJournal} writes for the fuzzed transfer (no entry, one, many, the whole file), each torn
 * at the end and with its header spoiled, and entries of edge offsets and lengths behind repaired checksums.
 * Skipped unless {@code -Dcourier.fuzz.writeSeeds=true}: {@code mvn -o -q verify -pl courier-journal -am
 * -Dtest=TransferJournalFuzzSeeds -Dsurefire.failIfNoSpecifiedTests=false -Dcourier.fuzz.writeSeeds=true}.
 */
@EnabledIfSystemProperty(named = SeedCorpus.WRITE_PROPERTY, matches = "true")
class TransferJournalFuzzSeeds {
    @TempDir
    Path dir;

    @Test
    void write() throws Exception {
        SeedCorpus corpus = SeedCorpus.of(TransferJournalFuzzTest.class, "journal");
        corpus.add("empty", new byte[0]);
        corpus.add("doc-notes", withFlags(0, SeedCorpus.hex(TransferJournalLayoutTest.HEADER + " "
                + TransferJournalLayoutTest.ENTRY)));
        byte[] part = TransferJournalFuzzTest.part();
        List<int[]> chunks = List.of(new int[] {0, 1024}, new int[] {1024, 1024}, new int[] {3072, 1024},
                new int[] {2048, 1024});
        for (int n = 0; n <= chunks.size(); n++) {
            byte[] journal = written(part, chunks.subList(0, n));
            corpus.add("written-" + n, withFlags(0, journal));
            corpus.add("written-" + n + "-torn", withFlags(0, Arrays.copyOf(journal, journal.length - 7)));
            byte[] spoiled = journal.clone();
            spoiled[10] ^= 1;
            corpus.add("written-" + n + "-header-spoiled", withFlags(0, spoiled));
        }
        int all = VALID_HEADER | REPAIR_ENTRY_CRCS | REPAIR_DATA_CRCS;
        corpus.add("entries-edges", withFlags(all, concat(
                entry(0, 0), entry(4095, 1), entry(4096, 1), entry(0, 4097), entry(-1, 1), entry(-4096, 4096),
                entry(Long.MAX_VALUE, 1), entry(Long.MAX_VALUE - 10, 100), entry(100, -1), entry(100, Integer.MAX_VALUE))));
        corpus.add("entries-bad-data-crc", withFlags(VALID_HEADER | REPAIR_ENTRY_CRCS, concat(entry(0, 1024),
                entry(1024, 1024))));
        corpus.add("entries-torn", withFlags(all, Arrays.copyOf(concat(entry(0, 1024), entry(1024, 1024)), 33)));
        corpus.write();
    }

    /** The journal {@link TransferJournal} writes for {@link TransferJournalFuzzTest#TRANSFER} and these chunks. */
    private byte[] written(byte[] part, List<int[]> chunks) throws Exception {
        Path path = dir.resolve("seed.journal");
        try (TransferJournal j = TransferJournal.create(path, TRANSFER)) {
            for (int[] c : chunks) {
                CRC32C crc = new CRC32C();
                crc.update(part, c[0], c[1]);
                j.append(new TransferJournal.Entry(c[0], c[1], (int) crc.getValue()));
            }
        }
        return Files.readAllBytes(path);
    }

    /** An entry's 20 bytes with zero CRCs, for the target to repair. */
    private static byte[] entry(long offsetBytes, int lengthBytes) {
        return ByteBuffer.allocate(TransferJournal.ENTRY_BYTES).putLong(offsetBytes).putInt(lengthBytes).array();
    }

    private static byte[] withFlags(int flags, byte[] journal) {
        byte[] b = new byte[journal.length + 1];
        b[0] = (byte) flags;
        System.arraycopy(journal, 0, b, 1, journal.length);
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        byte[] all = new byte[0];
        for (byte[] p : parts) {
            int at = all.length;
            all = Arrays.copyOf(all, at + p.length);
            System.arraycopy(p, 0, all, at, p.length);
        }
        return all;
    }
}
