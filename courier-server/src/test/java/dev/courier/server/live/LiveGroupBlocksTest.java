package dev.courier.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.AppendAck;
import dev.courier.protocol.AppendRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The APPENDs of one group commit to one record are published together: one block (its rows in sample order, its
 * CRC32C that of all of them), one snapshot and one offer per subscriber; and a burst of pipelined APPENDs reaches a
 * subscriber once each, in order, in blocks no larger than the merge cap (a quarter of the subscriber queue bound)
 * unless a single APPEND is larger.
 */
class LiveGroupBlocksTest {
    private static final int CHANNELS = 2;
    private static final double RATE_HZ = 250;

    @TempDir
    Path dir;

    /** One row's values: distinct per sample and channel. */
    private static double value(long sample, int channel) {
        return sample * 10.0 + channel + 0.25;
    }

    private static double[] values(long first, int rows) {
        double[] v = new double[rows * CHANNELS];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < CHANNELS; c++) {
                v[r * CHANNELS + c] = value(first + r, c + 1);
            }
        }
        return v;
    }

    private static AppendRequest append(int id, String record, long first, int rows) {
        double[] times = new double[rows];
        for (int r = 0; r < rows; r++) {
            times[r] = (first + r) / RATE_HZ;
        }
        return new AppendRequest(id, record, RATE_HZ, CHANNELS, times, values(first, rows));
    }

    /** A subscriber that keeps a copy of each block it is offered: its first sample and its bytes. */
    private static final class Collector implements LiveSubscriber {
        final List<Long> firstSamples = new ArrayList<>();
        final List<byte[]> bytes = new ArrayList<>();
        final List<Integer> crcs = new ArrayList<>();

        @Override
        public synchronized boolean offer(LiveBlock block) {
            ByteBuf b = block.rows();
            byte[] copy = new byte[b.readableBytes()];
            b.getBytes(b.readerIndex(), copy);
            firstSamples.add(block.firstSample());
            bytes.add(copy);
            crcs.add(block.crc32c());
            assertThat(copy.length).isEqualTo(block.rowCount() * CHANNELS * Double.BYTES);
            b.release();
            return true;
        }
    }

    @Test
    void severalAppendsAppliedTogetherAreOneBlockOneSnapshotInSampleOrder() throws Exception {
        LiveFile file = LiveFile.create(dir.resolve("r.live.new"), CHANNELS, RATE_HZ, 0);
        LiveRecord record = new LiveRecord("r", file, LiveRecord.columnsFor(CHANNELS, 0), 0);
        Collector sub = new Collector();
        record.subscribe(sub);

        record.apply(List.of(values(0, 5), values(5, 3)), 8, PooledByteBufAllocator.DEFAULT);
        record.apply(List.of(values(8, 2)), 2, PooledByteBufAllocator.DEFAULT);

        assertThat(sub.firstSamples).containsExactly(0L, 8L);
        ByteBuffer expected = ByteBuffer.allocate(8 * CHANNELS * Double.BYTES); // big-endian, as the wire's rows
        for (long s = 0; s < 8; s++) {
            expected.putDouble(value(s, 1)).putDouble(value(s, 2));
        }
        assertThat(sub.bytes.getFirst()).isEqualTo(expected.array());
        CRC32C crc = new CRC32C();
        crc.update(expected.array());
        assertThat(sub.crcs.getFirst()).isEqualTo((int) crc.getValue());
        assertThat(record.snapshot().sampleCount()).isEqualTo(10);
        for (int s = 0; s < 10; s++) {
            assertThat(record.snapshot().value(1, s)).isEqualTo(value(s, 1));
            assertThat(record.snapshot().value(2, s)).isEqualTo(value(s, 2));
        }
        file.close();
    }

    @Test
    void aBurstOfAppendsReachesASubscriberOnceEachInOrderInBlocksNoLargerThanTheCap() throws Exception {
        long queueBound = 4096;
        long cap = queueBound / 4; // LiveStore.mergedBlockBytes: a quarter of the bound, under 64 KiB
        int rows = 5;
        int appends = 2_000;
        LiveStore store = LiveStore.open(LiveConfig.of(dir.resolve("live")).withSubscriberQueueBytes(queueBound),
                id -> false);
        try {
            store.append(append(0, "r", 0, rows)).join();
            Collector sub = new Collector();
            store.subscribe("r", sub);
            List<CompletableFuture<AppendAck>> acks = new ArrayList<>();
            for (int i = 1; i <= appends; i++) {
                acks.add(store.append(append(i, "r", (long) i * rows, rows)));
            }
            for (int i = 1; i <= appends; i++) {
                AppendAck ack = acks.get(i - 1).join();
                assertThat(ack.firstSample()).isEqualTo((long) i * rows);
                assertThat(ack.rows()).isEqualTo(rows);
            }
            synchronized (sub) {
                long next = rows;
                for (int b = 0; b < sub.bytes.size(); b++) {
                    assertThat(sub.firstSamples.get(b)).isEqualTo(next);
                    byte[] block = sub.bytes.get(b);
                    assertThat((long) block.length).isLessThanOrEqualTo(cap);
                    ByteBuffer in = ByteBuffer.wrap(block);
                    while (in.hasRemaining()) {
                        assertThat(in.getDouble()).isEqualTo(value(next, 1));
                        assertThat(in.getDouble()).isEqualTo(value(next, 2));
                        next++;
                    }
                }
                assertThat(next).isEqualTo((long) (appends + 1) * rows);
            }
        } finally {
            store.close();
        }
    }
}
