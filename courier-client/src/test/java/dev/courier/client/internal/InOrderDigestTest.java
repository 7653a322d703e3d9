package dev.courier.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.journal.RangeSet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The digest's own hashing thread: order, resumed bytes read back, gaps, failures and release of held chunks. */
class InOrderDigestTest {
    private static final int CHUNK = 64 << 10;

    @TempDir
    Path dir;

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** A direct buffer holding {@code data[offset, offset + length)}, as a chunk arrives from the socket. */
    private static ByteBuf chunk(byte[] data, int offset, int length) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(length);
        return b.writeBytes(data, offset, length);
    }

    @Test
    void chunksOfferedOutOfOrderFromManyThreadsHashToTheWholeFile() throws Exception {
        byte[] data = random(40 * CHUNK + 123, 1);
        List<Integer> offsets = new ArrayList<>();
        for (int at = 0; at < data.length; at += CHUNK) {
            offsets.add(at);
        }
        Collections.shuffle(offsets, new Random(2));
        AtomicInteger advanced = new AtomicInteger();
        try (InOrderDigest digest = new InOrderDigest(data.length, new RangeSet(), null, advanced::incrementAndGet);
             ExecutorService pool = Executors.newFixedThreadPool(4)) {
            for (int at : offsets) {
                pool.submit(() -> {
                    ByteBuf c = chunk(data, at, Math.min(CHUNK, data.length - at));
                    try {
                        digest.offer(at, c);
                    } finally {
                        c.release(); // the digest holds its own reference
                    }
                });
            }
            pool.shutdown();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            assertThat(digest.finish().hex()).isEqualTo(sha256(data));
            assertThat(digest.hashedBytes()).isEqualTo(data.length);
            assertThat(advanced.get()).as("told as the hashing point moved").isGreaterThanOrEqualTo(offsets.size());
        }
    }

    @Test
    void resumedRangesAreReadBackFromThePartFile() throws Exception {
        byte[] data = random(10 * CHUNK, 3);
        Path part = dir.resolve("x.courier-part");
        Files.write(part, data);
        RangeSet onDisk = new RangeSet();
        onDisk.add(0, 3 * CHUNK);
        onDisk.add(6 * CHUNK, 2 * CHUNK);
        try (FileChannel ch = FileChannel.open(part, StandardOpenOption.READ);
             InOrderDigest digest = new InOrderDigest(data.length, onDisk, ch, () -> { })) {
            for (int i : new int[] {9, 3, 5, 8, 4}) {
                ByteBuf c = chunk(data, i * CHUNK, CHUNK);
                digest.offer(i * CHUNK, c);
                c.release();
            }
            assertThat(digest.finish().hex()).isEqualTo(sha256(data));
        }
    }

    @Test
    void aGapLeavesTheDigestUnfinishedAndClosingReleasesWhatItHeld() throws Exception {
        byte[] data = random(4 * CHUNK, 4);
        ByteBuf held = chunk(data, 2 * CHUNK, CHUNK);
        InOrderDigest digest = new InOrderDigest(data.length, new RangeSet(), null, () -> { });
        ByteBuf first = chunk(data, 0, CHUNK);
        digest.offer(0, first);
        digest.offer(2 * CHUNK, held);
        first.release();
        assertThat(digest.finish()).as("the chunk at " + CHUNK + " never came").isNull();
        assertThat(digest.hashedBytes()).isEqualTo(CHUNK);
        assertThat(held.refCnt()).as("held by the digest").isEqualTo(2);
        digest.close();
        assertThat(held.refCnt()).as("released on close").isEqualTo(1);
        held.release();
    }

    @Test
    void aPartFileThatCannotBeReadBackFailsTheDigest() throws Exception {
        Path part = dir.resolve("short.courier-part");
        Files.write(part, random(CHUNK, 5));
        RangeSet onDisk = new RangeSet();
        onDisk.add(0, 2 * CHUNK); // the journal claims more than the file holds
        try (FileChannel ch = FileChannel.open(part, StandardOpenOption.READ);
             InOrderDigest digest = new InOrderDigest(4 * CHUNK, onDisk, ch, () -> { })) {
            assertThatThrownBy(digest::finish).isInstanceOf(IOException.class).hasMessageContaining("ends at");
            ByteBuf c = chunk(random(CHUNK, 6), 0, CHUNK);
            try {
                assertThatThrownBy(() -> digest.offer(3 * CHUNK, c)).isInstanceOf(UncheckedIOException.class);
            } finally {
                c.release();
            }
        }
    }
}
