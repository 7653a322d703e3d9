package dev.courier.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.protocol.ByteRange;
import dev.courier.protocol.Sha256;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal bytes of the example in {@code docs/protocol.md} ("Resuming transfers"), worked out by hand: the
 * server's journal of the upload of "abcdone" as "notes.txt" after the first 3 bytes ("abc") arrived.
 */
class TransferJournalLayoutTest {
    /** magic "CJNL", version 1, size 7, modifiedMillis 0 (an upload), SHA-256("abcdone"), CRC32C of the 54 before. */
    static final String HEADER = "434a4e4c 0001 0000000000000007 0000000000000000"
            + " e790620f56e5ff47106a839bfd17e6e2f337169dc2828e991d8091d4de92e9f0 d92b4935";
    /** offset 0, length 3, CRC32C("abc"), CRC32C of the 16 bytes before. */
    static final String ENTRY = "0000000000000000 00000003 364b3fb7 24b5ede9";
    private static final TransferJournal.Header NOTES = new TransferJournal.Header(7, 0,
            Sha256.ofHex("e790620f56e5ff47106a839bfd17e6e2f337169dc2828e991d8091d4de92e9f0"));

    @TempDir
    Path dir;

    @Test
    void headerAndEntryHaveDocumentedLayout() throws Exception {
        Path path = dir.resolve("notes.txt.courier-part.journal");
        try (TransferJournal j = TransferJournal.create(path, NOTES)) {
            j.append(new TransferJournal.Entry(0, 3, 0x364b3fb7));
        }

        assertThat(TransferJournal.HEADER_BYTES).isEqualTo(58);
        assertThat(TransferJournal.ENTRY_BYTES).isEqualTo(20);
        assertThat(HexFormat.of().formatHex(Files.readAllBytes(path))).isEqualTo(compact(HEADER + " " + ENTRY));
    }

    @Test
    void protocolDocQuotesTheseBytes() throws Exception {
        // Tests run in the module's directory; the doc is at the top of the project.
        String doc = Files.readString(Path.of("..", "docs", "protocol.md"));

        assertThat(doc).contains(HEADER + "\n" + ENTRY + "\n");
    }

    @Test
    void documentedJournalResumesWithTheBytesThePartFileReallyHolds() throws Exception {
        Path path = dir.resolve("notes.txt.courier-part.journal");
        // A torn second entry: 7 of its 20 bytes reached the disk.
        Files.write(path, HexFormat.of().parseHex(compact(HEADER + " " + ENTRY + " 00000000000000030000")));

        TransferJournal.Opened opened = TransferJournal.open(path, NOTES);
        try (TransferJournal j = opened.journal()) {
            assertThat(opened.restartReason()).isEmpty();
            assertThat(opened.entries()).containsExactly(new TransferJournal.Entry(0, 3, 0x364b3fb7));
            assertThat(Files.size(path)).as("torn tail cut off").isEqualTo(58 + 20);

            Path part = dir.resolve("notes.txt.courier-part");
            Files.writeString(part, "abc", StandardCharsets.US_ASCII);
            try (FileChannel ch = FileChannel.open(part, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                assertThat(TransferJournal.verified(opened.entries(), ch, 7).ranges())
                        .containsExactly(new ByteRange(0, 3));
                ch.write(ByteBuffer.wrap("x".getBytes(StandardCharsets.US_ASCII)), 1);
                assertThat(TransferJournal.verified(opened.entries(), ch, 7).ranges())
                        .as("a chunk whose bytes are not on disk is not claimed").isEmpty();
            }
        }
    }

    @Test
    void aSuspendedJournalHoldsNoFileAndItsNextAppendOpensItAgain() throws Exception {
        Path path = dir.resolve("notes.txt.courier-part.journal");
        TransferJournal j = TransferJournal.create(path, NOTES);
        j.suspend();
        j.suspend(); // twice is fine
        j.append(new TransferJournal.Entry(0, 3, 0x364b3fb7));
        j.close();
        assertThat(HexFormat.of().formatHex(Files.readAllBytes(path))).isEqualTo(compact(HEADER + " " + ENTRY));
        assertThatThrownBy(() -> j.append(new TransferJournal.Entry(3, 4, 0)))
                .as("a closed journal stays closed").isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void aBatchIsTheSameBytesAsItsEntriesOneByOneAndATornBatchKeepsItsWholeEntries() throws Exception {
        List<TransferJournal.Entry> entries = List.of(new TransferJournal.Entry(0, 3, 0x364b3fb7),
                new TransferJournal.Entry(3, 2, 0x11223344), new TransferJournal.Entry(5, 2, 0x55667788));
        Path single = dir.resolve("single.journal");
        try (TransferJournal j = TransferJournal.create(single, NOTES)) {
            for (TransferJournal.Entry e : entries) {
                j.append(e);
            }
        }
        Path batched = dir.resolve("batched.journal");
        try (TransferJournal j = TransferJournal.create(batched, NOTES)) {
            j.append(entries);
            j.append(List.of()); // nothing to write
        }
        byte[] bytes = Files.readAllBytes(batched);
        assertThat(bytes).isEqualTo(Files.readAllBytes(single));

        // A crash in the middle of the batch's write: the third entry got 11 of its 20 bytes.
        Files.write(batched, Arrays.copyOf(bytes, 58 + 20 + 20 + 11));
        TransferJournal.Opened opened = TransferJournal.open(batched, NOTES);
        opened.journal().close();
        assertThat(opened.entries()).containsExactlyElementsOf(entries.subList(0, 2));
    }

    private static String compact(String hex) {
        return hex.replace(" ", "");
    }
}
