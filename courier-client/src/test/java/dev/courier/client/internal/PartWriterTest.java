package dev.courier.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.journal.TransferJournal;
import dev.courier.protocol.Sha256;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Chunks into the part file and the journal: at their offsets, recorded in batches, nothing claimed unwritten. */
class PartWriterTest {
    private static final int CHUNK = 256 << 10;
    private static final TransferJournal.Header HEADER = new TransferJournal.Header(0, 0, new Sha256(new byte[32]));

    @TempDir
    Path dir;

    private static int crc(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return (int) c.getValue();
    }

    /** A chunk as the decoder hands it over: a composite of several direct socket reads. */
    private static ByteBuf chunk(byte[] data, int offset, int length) {
        CompositeByteBuf c = PooledByteBufAllocator.DEFAULT.compositeDirectBuffer();
        int half = length / 2;
        c.addComponent(true, PooledByteBufAllocator.DEFAULT.directBuffer(half).writeBytes(data, offset, half));
        c.addComponent(true, PooledByteBufAllocator.DEFAULT.directBuffer(length - half)
                .writeBytes(data, offset + half, length - half));
        return c;
    }

    @Test
    void chunksLandAtTheirOffsetsAndCountAsRecordedOnlyOnceTheirBatchIsInTheJournal() throws Exception {
        int chunks = (int) (PartWriter.JOURNAL_BATCH_BYTES / CHUNK) * 3 + 2;
        byte[] data = new byte[chunks * CHUNK];
        new Random(7).nextBytes(data);
        Path part = dir.resolve("f.courier-part");
        Path journalPath = dir.resolve("f.courier-part.journal");
        long recorded = 0;
        try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
             TransferJournal journal = TransferJournal.create(journalPath, HEADER);
             PartWriter writer = new PartWriter(out, journal)) {
            for (int i = chunks - 1; i >= 0; i--) { // backwards: offsets, not order, place the bytes
                ByteBuf c = chunk(data, i * CHUNK, CHUNK);
                try {
                    long r = writer.write((long) i * CHUNK, c, crc(data, i * CHUNK, CHUNK));
                    assertThat(r).as("a whole batch or nothing").isIn(0L, PartWriter.JOURNAL_BATCH_BYTES);
                    recorded += r;
                } finally {
                    c.release();
                }
                long entries = (Files.size(journalPath) - 58) / 20;
                assertThat(entries * CHUNK).as("the journal holds what was reported recorded").isEqualTo(recorded);
            }
            assertThat(recorded).isEqualTo(3 * PartWriter.JOURNAL_BATCH_BYTES);
            recorded += writer.flush();
            assertThat(recorded).isEqualTo(data.length);
        }
        assertThat(Files.readAllBytes(part)).isEqualTo(data);
        TransferJournal.Opened opened = TransferJournal.open(journalPath, HEADER);
        opened.journal().close();
        try (FileChannel in = FileChannel.open(part, StandardOpenOption.READ)) {
            assertThat(TransferJournal.verified(opened.entries(), in, data.length).totalBytes()).isEqualTo(data.length);
        }
    }

    @Test
    void closingRecordsTheBatchNotYetFull() throws Exception {
        byte[] data = new byte[3 * CHUNK];
        new Random(8).nextBytes(data);
        Path part = dir.resolve("g.courier-part");
        Path journalPath = dir.resolve("g.courier-part.journal");
        try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             TransferJournal journal = TransferJournal.create(journalPath, HEADER)) {
            PartWriter writer = new PartWriter(out, journal);
            for (int i = 0; i < 3; i++) {
                ByteBuf c = chunk(data, i * CHUNK, CHUNK);
                assertThat(writer.write((long) i * CHUNK, c, crc(data, i * CHUNK, CHUNK))).isZero();
                c.release();
            }
            writer.close();
        }
        TransferJournal.Opened opened = TransferJournal.open(journalPath, HEADER);
        opened.journal().close();
        assertThat(opened.entries()).extracting(TransferJournal.Entry::offsetBytes)
                .containsExactly(0L, (long) CHUNK, 2L * CHUNK);
        assertThat(Arrays.equals(Files.readAllBytes(part), data)).isTrue();
    }
}
