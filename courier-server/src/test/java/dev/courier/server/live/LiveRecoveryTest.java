package dev.courier.server.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.protocol.AppendAck;
import dev.courier.protocol.AppendRequest;
import dev.courier.server.points.Recording;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live store's durability through its shared log: what a crash leaves (the live directory copied while the store
 * runs, before any checkpoint, so the record files hold headers only and the rows are in the log alone) opens with
 * every acknowledged row, a torn log tail cut; a record file a power loss left without its header, or one made for a
 * group never fsync'd, does not stop the start, while a damaged header the logs cannot explain does, naming the file;
 * logs are retired by checkpoints as they fill, never more than two at a time, and a clean close leaves the record
 * files complete and no log. Damage inside an older log (only the newest can have a torn tail), a log header of
 * another generation and a log name no generation can follow stop the start with the typed refusal, naming the
 * file and changing none; a record of many channels costs memory by its values; a subscriber is offered no row
 * that a crash at that moment would lose.
 */
class LiveRecoveryTest {
    private static final double RATE_HZ = 250;

    @TempDir
    Path dir;

    private static AppendRequest rows(int id, String record, int channels, long first, int n) {
        double[] times = new double[n];
        double[] values = new double[n * channels];
        for (int r = 0; r < n; r++) {
            times[r] = (first + r) / RATE_HZ;
            for (int c = 0; c < channels; c++) {
                values[r * channels + c] = value(record, first + r, c);
            }
        }
        return new AppendRequest(id, record, RATE_HZ, channels, times, values);
    }

    private static double value(String record, long sample, int channel) {
        return record.hashCode() % 97 + sample * 0.5 - channel * 1e-3;
    }

    private static void assertRows(LiveStore store, String record, int channels, long samples) {
        Recording r = store.find(record);
        assertThat(r).as(record).isNotNull();
        assertThat(r.sampleCount()).as(record).isEqualTo(samples);
        for (int c = 0; c < channels; c++) {
            for (int s = 0; s < samples; s++) {
                assertThat(r.value(c + 1, s)).as("%s sample %d channel %d", record, s, c)
                        .isEqualTo(value(record, s, c));
            }
        }
    }

    private static long logCount(Path live) throws IOException {
        try (Stream<Path> files = Files.list(live)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".wal")).count();
        }
    }

    /** What a crash leaves of {@code from} while a store runs on it: its files as they are, in {@code to}. */
    static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.copy(p, to.resolve(p.getFileName()));
            }
        }
    }

    @Test
    void whatACrashLeavesBeforeAnyCheckpointOpensWithEveryAcknowledgedRowAndATornTailCut() throws Exception {
        Path live = dir.resolve("live");
        Path crashed = dir.resolve("crashed");
        try (LiveStore store = LiveStore.open(LiveConfig.of(live), id -> false)) {
            int id = 1;
            for (int round = 0; round < 20; round++) {
                assertThat(store.append(rows(id++, "one", 2, round * 7L, 7)).join())
                        .isEqualTo(new AppendAck(id - 1, round * 7L, 7));
                store.append(rows(id++, "two", 1, round * 3L, 3)).join();
            }
            copy(live, crashed); // no checkpoint ran: the rows are in the log only
        }
        assertThat(Files.size(crashed.resolve("one.live"))).isEqualTo(LiveFile.HEADER_BYTES);
        Path log = LiveLog.existing(crashed).getFirst();
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap(new byte[] {90, 0, 0, 0, 1, 2, 3, 4, 5})); // a group a crash cut short
        }
        try (LiveStore store = LiveStore.open(LiveConfig.of(crashed), id -> false)) {
            assertRows(store, "one", 2, 140);
            assertRows(store, "two", 1, 60);
            // Replayed, checkpointed and gone: only the new, empty log is left, and the files hold the rows.
            assertThat(logCount(crashed)).isEqualTo(1);
            assertThat(Files.size(crashed.resolve("one.live"))).isEqualTo(LiveFile.HEADER_BYTES + 140 * 16);
            assertThat(store.append(rows(99, "one", 2, 140, 1)).join()).isEqualTo(new AppendAck(99, 140, 1));
        }
    }

    @Test
    void aSubscriberIsOfferedNoRowThatACrashAtThatMomentWouldLose() throws Exception {
        // Delivery waits for the group's log write and fsync, like the ACK: at each offer, what a crash would leave
        // (the directory copied then and opened) already holds the block's rows. (The copy reads the page cache, so
        // this shows the order, write then offer; the fsync sits between them in LiveStore.commit.)
        Path live = dir.resolve("live");
        List<String> lost = new CopyOnWriteArrayList<>();
        AtomicInteger offers = new AtomicInteger();
        try (LiveStore store = LiveStore.open(LiveConfig.of(live), id -> false)) {
            store.append(rows(1, "d", 2, 0, 10)).join();
            store.subscribe("d", block -> {
                try {
                    Path crashed = dir.resolve("crash-" + offers.incrementAndGet());
                    copy(live, crashed);
                    try (LiveStore after = LiveStore.open(LiveConfig.of(crashed), id -> false)) {
                        Recording r = after.find("d");
                        long kept = r == null ? 0 : r.sampleCount();
                        if (kept < block.endSample()) {
                            lost.add("offered samples up to " + block.endSample() + ", a crash keeps " + kept);
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    lost.add(e.toString());
                } finally {
                    block.rows().release();
                }
                return true;
            });
            for (int k = 0; k < 5; k++) {
                store.append(rows(2 + k, "d", 2, 10 + 10L * k, 10)).join();
            }
        }
        assertThat(offers).hasValue(5);
        assertThat(lost).isEmpty();
    }

    @Test
    void aRecordWhoseFileWasLostIsMadeAgainFromTheLog() throws Exception {
        Path live = dir.resolve("live");
        Path crashed = dir.resolve("crashed");
        try (LiveStore store = LiveStore.open(LiveConfig.of(live), id -> false)) {
            store.append(rows(1, "new", 3, 0, 9)).join();
            copy(live, crashed);
        }
        Files.delete(crashed.resolve("new.live")); // its directory entry was never synced
        try (LiveStore store = LiveStore.open(LiveConfig.of(crashed), id -> false)) {
            assertRows(store, "new", 3, 9);
        }
    }

    @Test
    void aNewRecordsFileLeftUnderItsProvisionalNameIsDeletedAndMadeFromTheLogIfItsEntryWasDurable() throws Exception {
        Path live = dir.resolve("live");
        Path crashed = dir.resolve("crashed");
        try (LiveStore store = LiveStore.open(LiveConfig.of(live), id -> false)) {
            assertThat(store.append(rows(1, "kept", 2, 0, 6)).join()).isEqualTo(new AppendAck(1, 0, 6));
            copy(live, crashed);
        }
        // The rename after the group's fsync never reached the disk, and the header neither.
        Files.move(crashed.resolve("kept.live"), crashed.resolve("kept" + LiveFile.NEW_SUFFIX));
        try (FileChannel ch = FileChannel.open(crashed.resolve("kept" + LiveFile.NEW_SUFFIX),
                StandardOpenOption.WRITE)) {
            ch.truncate(0);
        }
        // A record made by a group the crash cut before its fsync: nothing of it is in the log.
        Files.write(crashed.resolve("ghost" + LiveFile.NEW_SUFFIX), new byte[] {0x31, 0x56});
        try (LiveStore store = LiveStore.open(LiveConfig.of(crashed), id -> false)) {
            assertRows(store, "kept", 2, 6);
            assertThat(store.find("ghost")).isNull();
            assertThat(store.append(rows(2, "ghost", 1, 0, 3)).join()).isEqualTo(new AppendAck(2, 0, 3));
        }
        assertThat(crashed.resolve("ghost" + LiveFile.NEW_SUFFIX)).doesNotExist();
        assertThat(crashed.resolve("kept" + LiveFile.NEW_SUFFIX)).doesNotExist();
        assertThat(Files.size(crashed.resolve("ghost.live"))).isEqualTo(LiveFile.HEADER_BYTES + 3 * 8);
    }

    @Test
    void aDamagedHeaderTheLogsCannotExplainStopsTheStartNamingTheFile() throws Exception {
        Path live = dir.resolve("live");
        try (LiveStore store = LiveStore.open(LiveConfig.of(live), id -> false)) {
            store.append(rows(1, "old", 1, 0, 10)).join();
        }
        // Checkpointed by the close: its header was synced and the log holding its creation is gone. The log of the
        // next run holds only samples 10 on.
        Path crashed = dir.resolve("crashed");
        try (LiveStore store = LiveStore.open(LiveConfig.of(live), id -> false)) {
            store.append(rows(2, "old", 1, 10, 5)).join();
            copy(live, crashed);
        }
        Path file = crashed.resolve("old.live");
        byte[] garbage = new byte[LiveFile.HEADER_BYTES];
        for (int i = 0; i < garbage.length; i++) {
            garbage[i] = (byte) (0x5A ^ i * 37);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(garbage), 0);
        }
        long size = Files.size(file);
        assertThatThrownBy(() -> LiveStore.open(LiveConfig.of(crashed), id -> false))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("no live log holds that record from its first sample");
        // Nothing was dropped: the file and the log are as they were.
        assertThat(Files.size(file)).isEqualTo(size);
        assertThat(logCount(crashed)).isEqualTo(1);

        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(7); // cut inside the header: a crash cannot do that to a synced header either
        }
        assertThatThrownBy(() -> LiveStore.open(LiveConfig.of(crashed), id -> false))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("shorter than");
    }

    @Test
    void checkpointsRetireFullLogsAndACleanCloseLeavesCompleteFilesAndNoLog() throws Exception {
        Path live = dir.resolve("live");
        LiveConfig config = LiveConfig.of(live).withLogCheckpointBytes(4096);
        List<String> records = List.of("r0", "r1", "r2", "r3", "r4");
        long maxLogs = 0;
        try (LiveStore store = LiveStore.open(config, id -> false)) {
            int id = 1;
            for (int round = 0; round < 200; round++) {
                for (String r : records) {
                    store.append(rows(id++, r, 2, round * 5L, 5)).join();
                }
                maxLogs = Math.max(maxLogs, logCount(live));
            }
            assertThat(store.find("r3").sampleCount()).isEqualTo(1000);
        }
        assertThat(maxLogs).isBetween(1L, 2L);
        assertThat(logCount(live)).isZero();
        for (String r : records) {
            assertThat(Files.size(live.resolve(r + ".live"))).isEqualTo(LiveFile.HEADER_BYTES + 1000 * 16);
        }
        try (LiveStore store = LiveStore.open(config, id -> false)) {
            for (String r : records) {
                assertRows(store, r, 2, 1000);
            }
        }
    }

    /** Two logs as a run leaves them after a rotation: record "x" from sample 0 in the older, more in the newer. */
    private static void writeTwoLogs(Path live) throws IOException {
        Files.createDirectories(live);
        try (LiveLog older = LiveLog.create(live, 1)) {
            older.add("x", 0, 5, 1, RATE_HZ, 0, values("x", 0, 5));
            older.commit();
            older.add("x", 5, 5, 1, RATE_HZ, 0, values("x", 5, 5));
            older.commit();
        }
        try (LiveLog newer = LiveLog.create(live, 2)) {
            newer.add("x", 10, 5, 1, RATE_HZ, 0, values("x", 10, 5));
            newer.commit();
        }
    }

    private static double[] values(String record, long first, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = value(record, first + i, 0);
        }
        return v;
    }

    /** Flips a byte in the second entry's values of the log of {@code generation}. */
    private static void flipSecondEntry(Path live, long generation) throws IOException {
        Path log = LiveLog.pathOf(live, generation);
        byte[] b = Files.readAllBytes(log);
        int secondEntry = LiveLog.HEADER_BYTES + LiveLog.ENTRY_HEADER_BYTES + 1 + 5 * Double.BYTES;
        b[secondEntry + LiveLog.ENTRY_HEADER_BYTES + 1 + 3] ^= 0x10;
        Files.write(log, b);
    }

    @Test
    void damageInsideAnOlderLogStopsTheStartNamingItAndChangesNothing() throws Exception {
        Path live = dir.resolve("live");
        writeTwoLogs(live);
        flipSecondEntry(live, 1);
        Map<String, byte[]> before = LiveDirectoryOracle.files(live);
        Path older = LiveLog.pathOf(live, 1);
        assertThatThrownBy(() -> LiveStore.open(LiveConfig.of(live), id -> false))
                .isInstanceOfSatisfying(DamagedLiveFileException.class, e -> assertThat(e.file()).isEqualTo(older))
                .hasMessageContaining(older.toString())
                .hasMessageContaining("BAD_CRC")
                .hasMessageContaining(LiveLog.pathOf(live, 2).getFileName().toString());
        // Record "x", made from the older log's first entry, had only a provisional file, deleted with the refusal.
        Map<String, byte[]> after = LiveDirectoryOracle.files(live);
        assertThat(after.keySet()).isEqualTo(before.keySet());
        for (String name : before.keySet()) {
            assertThat(Arrays.equals(after.get(name), before.get(name))).as(name).isTrue();
        }
    }

    @Test
    void theSameDamageInTheNewestLogIsATornTailTheStartCuts() throws Exception {
        Path live = dir.resolve("live");
        writeTwoLogs(live);
        flipSecondEntry(live, 1);
        Files.delete(LiveLog.pathOf(live, 2)); // the older log is the newest now
        try (LiveStore store = LiveStore.open(LiveConfig.of(live), id -> false)) {
            assertRows(store, "x", 1, 5);
        }
    }

    @Test
    void aLogWhoseHeaderNamesAnotherGenerationStopsTheStart() throws Exception {
        Path live = dir.resolve("live");
        writeTwoLogs(live);
        Path newer = LiveLog.pathOf(live, 2);
        Path renamed = LiveLog.pathOf(live, 3);
        Files.move(newer, renamed);
        assertThatThrownBy(() -> LiveStore.open(LiveConfig.of(live), id -> false))
                .isInstanceOfSatisfying(DamagedLiveFileException.class, e -> assertThat(e.file()).isEqualTo(renamed))
                .hasMessageContaining("generation 2");
    }

    @Test
    void aLogNamedWithAGenerationNoneCanFollowStopsTheStartInsteadOfThrowingANumberFormatException() throws Exception {
        for (String digits : new String[] {"09223372036854775807", "18446744073709551615", "99999999999999999999"}) {
            Path live = dir.resolve("live-" + digits);
            Files.createDirectories(live);
            Path log = live.resolve("log-" + digits + ".wal");
            Files.write(log, new byte[0]);
            assertThatThrownBy(() -> LiveStore.open(LiveConfig.of(live), id -> false))
                    .as(digits)
                    .isInstanceOfSatisfying(DamagedLiveFileException.class, e -> assertThat(e.file()).isEqualTo(log))
                    .hasMessageContaining("2^63 - 1");
        }
        Path live = dir.resolve("live-max-minus-1");
        LiveLog.create(Files.createDirectories(live), Long.MAX_VALUE - 1).close();
        try (LiveStore store = LiveStore.open(LiveConfig.of(live), id -> false)) {
            assertThat(store.all()).isEmpty();
        }
    }

    @Test
    void aRecordOfManyChannelsCostsMemoryInProportionToItsValues() throws Exception {
        double[][] widest = LiveRecord.columnsFor(65_535, 1);
        assertThat(widest).hasNumberOfRows(65_535);
        assertThat(Arrays.stream(widest).mapToInt(c -> c.length).max().orElseThrow()).isEqualTo(1);
        assertThat(LiveRecord.columnsFor(1, 0)[0]).hasSize(LiveRecord.INITIAL_VALUES);
        assertThat(LiveRecord.columnsFor(4, 10)[3]).hasSize(LiveRecord.INITIAL_VALUES / 4);
        assertThat(LiveRecord.columnsFor(4, 5000)[3]).hasSize(5000);
        int channels = 16_000;
        try (LiveStore store = LiveStore.open(LiveConfig.of(dir.resolve("live")), id -> false)) {
            for (int row = 0; row < 3; row++) {
                assertThat(store.append(rows(row + 1, "wide", channels, row, 1)).join())
                        .isEqualTo(new AppendAck(row + 1, row, 1));
            }
            assertRows(store, "wide", channels, 3);
        }
    }
}
