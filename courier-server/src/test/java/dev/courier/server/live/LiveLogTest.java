package dev.courier.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared live log on its own: entries come back exactly as added, in order, over several groups; a torn tail
 * (a group cut short) and a flipped byte stop the reading at the last good entry with the reason; the generation is
 * in the name and the header.
 */
class LiveLogTest {
    @TempDir
    Path dir;

    private static double[] values(long first, int rows, int channels) {
        double[] v = new double[rows * channels];
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.cos(first + i) * 1e3 + i;
        }
        return v;
    }

    /** Three groups: two records in the first, one in each of the others; returns the offset each entry ends at. */
    private List<Long> writeThreeGroups() throws IOException {
        List<Long> ends = new ArrayList<>();
        try (LiveLog log = LiveLog.create(dir, 7)) {
            log.add("a", 0, 5, 2, 250, 10.0, values(0, 5, 2));
            log.add("bb", 0, 3, 1, 500, -1.5, values(100, 3, 1));
            log.commit();
            ends.add(LiveLog.HEADER_BYTES + 40L + 1 + 5 * 2 * 8);
            ends.add(log.sizeBytes());
            log.add("a", 5, 5, 2, 250, 10.0, values(5, 5, 2));
            log.commit();
            ends.add(log.sizeBytes());
            log.add("bb", 3, 1, 1, 500, -1.5, values(103, 1, 1));
            log.commit();
            ends.add(log.sizeBytes());
        }
        return ends;
    }

    @Test
    void entriesComeBackAsAddedInOrder() throws IOException {
        List<Long> ends = writeThreeGroups();
        Path p = LiveLog.pathOf(dir, 7);
        assertThat(LiveLog.existing(dir)).containsExactly(p);
        assertThat(LiveLog.generationOf(p)).isEqualTo(7);
        List<LiveLog.Entry> read = new ArrayList<>();
        LiveLog.Scan scan = LiveLog.read(p, read::add);
        assertThat(scan).isEqualTo(new LiveLog.Scan(7, 4, ends.get(3), Files.size(p), LiveLog.Tail.CLEAN));
        assertThat(read).extracting(LiveLog.Entry::id).containsExactly("a", "bb", "a", "bb");
        assertThat(read).extracting(LiveLog.Entry::firstSample).containsExactly(0L, 0L, 5L, 3L);
        assertThat(read.get(1).rateHz()).isEqualTo(500);
        assertThat(read.get(1).startTimeSeconds()).isEqualTo(-1.5);
        assertThat(read.get(1).channels()).isEqualTo(1);
        assertThat(read.get(2).values()).containsExactly(values(5, 5, 2));
        assertThat(read.get(3).values()).containsExactly(values(103, 1, 1));
    }

    @Test
    void aTornTailStopsAtTheLastWholeEntry() throws IOException {
        List<Long> ends = writeThreeGroups();
        Path p = LiveLog.pathOf(dir, 7);
        for (long cut : new long[] {ends.get(3) - 1, ends.get(2) + 3, ends.get(2) + 20}) {
            Path copy = dir.resolve("cut").resolve(p.getFileName());
            Files.createDirectories(copy.getParent());
            Files.copy(p, copy, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.WRITE)) {
                ch.truncate(cut);
            }
            List<LiveLog.Entry> read = new ArrayList<>();
            LiveLog.Scan scan = LiveLog.read(copy, read::add);
            assertThat(scan.tail()).as("cut at %d", cut).isEqualTo(LiveLog.Tail.SHORT);
            assertThat(scan.entries()).isEqualTo(3);
            assertThat(scan.goodBytes()).isEqualTo(ends.get(2));
            assertThat(scan.cutBytes()).isEqualTo(cut - ends.get(2));
            assertThat(read).hasSize(3);
        }
    }

    @Test
    void aFlippedByteIsABadCrcAndWhatFollowsIsNotRead() throws IOException {
        List<Long> ends = writeThreeGroups();
        Path p = LiveLog.pathOf(dir, 7);
        long at = ends.get(1) + 60; // inside the third entry's values
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x10)).rewind();
            ch.write(b, at);
        }
        List<LiveLog.Entry> read = new ArrayList<>();
        LiveLog.Scan scan = LiveLog.read(p, read::add);
        assertThat(scan.tail()).isEqualTo(LiveLog.Tail.BAD_CRC);
        assertThat(scan.goodBytes()).isEqualTo(ends.get(1));
        assertThat(read).extracting(LiveLog.Entry::firstSample).containsExactly(0L, 0L);
    }

    @Test
    void aLengthPastAnyEntrysIsBadFields() throws IOException {
        List<Long> ends = writeThreeGroups();
        Path p = LiveLog.pathOf(dir, 7);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(0, LiveLog.MAX_ENTRY_BYTES + 1), ends.get(0));
        }
        LiveLog.Scan scan = LiveLog.read(p, e -> { });
        assertThat(scan.tail()).isEqualTo(LiveLog.Tail.BAD_FIELDS);
        assertThat(scan.entries()).isEqualTo(1);
    }

    @Test
    void aLogCutInsideItsHeaderHoldsNothing() throws IOException {
        writeThreeGroups();
        Path p = LiveLog.pathOf(dir, 7);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.truncate(5);
        }
        LiveLog.Scan scan = LiveLog.read(p, e -> { });
        assertThat(scan).isEqualTo(new LiveLog.Scan(7, 0, 0, 5, LiveLog.Tail.SHORT));
    }
}
