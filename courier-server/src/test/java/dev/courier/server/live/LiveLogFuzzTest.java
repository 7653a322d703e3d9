package dev.courier.server.live;

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
 * Fuzzes the live store's replay of its shared log: the input is a flags byte, a generation and the bytes of a log
 * file, laid out in a fresh live directory under the generation's name and replayed by {@link LiveStore#open}. A
 * fuzzer would almost never get past each entry's CRC32C, so the flags ask the target to repair what it cannot
 * guess, and lay out what a log is replayed against:
 *
 * <pre>
 *  offset  size  field
 *       0     1  flags       {@link #VALID_HEADER}: a log's header for the generation is put before the bytes;
 *                            {@link #REPAIR_CRCS}: each entry whose length fits gets its right CRC32C;
 *                            {@link #RECORD_FILE}: record "a" ({@link #RECORD_ROWS} rows, 2 channels) has a file;
 *                            {@link #NEWER_LOG}: a log of the next generation, one good entry, follows this one
 *       1     8  generation  u64 little-endian, the name's ({@code log-GENERATION.wal}, 20 decimal digits)
 *       9     .  the log file
 * </pre>
 *
 * Missing bytes read as zero. The record file and the newer log are made by the real writers ({@link LiveFile},
 * {@link LiveLog}). {@code mvn verify} replays the committed corpus ({@code LiveLogFuzzTestInputs/log/}, written by
 * {@link LiveFuzzSeeds}); {@code bench/fuzz.sh} fuzzes from it.
 *
 * <p>The oracle, for every input: {@link LiveDirectoryOracle} (a typed refusal that changes nothing, or a clean
 * recovery that a close and a second open keep as it is); with {@link #RECORD_FILE}, a recovery keeps every row the
 * file had, bit for bit; with {@link #NEWER_LOG}, a log read short of its end is refused, naming it (only the newest
 * log may have a torn tail); and one execution stays within its {@link AllocationBudget}.
 */
class LiveLogFuzzTest {
    static final int VALID_HEADER = 0x01;
    static final int REPAIR_CRCS = 0x02;
    static final int RECORD_FILE = 0x04;
    static final int NEWER_LOG = 0x08;
    static final int PREFIX_BYTES = 9;
    static final String RECORD = "a";
    static final int RECORD_CHANNELS = 2;
    static final double RECORD_RATE_HZ = 250;
    static final double RECORD_START_SECONDS = 10.0;
    static final int RECORD_ROWS = 8;

    @TempDir
    static Path root;
    private static LiveDirectoryOracle oracle;

    @FuzzTest
    @Timeout(EXECUTION_TIMEOUT_SECONDS) // per input: a hang is a finding
    void log(byte[] data) throws IOException {
        if (data.length > FuzzInput.MAX_INPUT_BYTES) {
            return;
        }
        if (oracle == null) {
            oracle = new LiveDirectoryOracle(root);
        }
        int flags = data.length > 0 ? data[0] : 0;
        byte[] prefix = Arrays.copyOf(data, PREFIX_BYTES);
        long generation = ByteBuffer.wrap(prefix, 1, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        byte[] bytes = data.length > PREFIX_BYTES ? Arrays.copyOfRange(data, PREFIX_BYTES, data.length) : new byte[0];
        byte[] log = repaired(flags, generation, bytes);
        Path dir = oracle.freshDirectory();
        Path logPath = dir.resolve(logName(generation));
        Files.write(logPath, log);
        if ((flags & RECORD_FILE) != 0) {
            writeRecordFile(dir);
        }
        // The writer names a log with %020d: generations from 0 to 2^63 - 2 have a next.
        boolean newer = (flags & NEWER_LOG) != 0 && generation >= 0 && generation < Long.MAX_VALUE - 1;
        if (newer) {
            try (LiveLog next = LiveLog.create(dir, generation + 1)) {
                next.add("b", 0, 3, 1, 100, 0, new double[] {1, 2, 3});
                next.commit();
            }
        }
        boolean damagedOlderLog = newer && !readsToEnd(logPath);
        // 256 bytes per input byte, as for the CSV loader: each 8 bytes of a wide entry's values can be a channel, which
        // costs its record about 0.7 KB for the execution (2.6 KB with Jazzer's hooks on: a column, a name and a label
        // for each snapshot); rows reserved per channel would cost 8 KiB each, and show.
        AllocationBudget.of(16 << 20, 256, data.length).run("replaying a live log of " + log.length + " bytes", () -> {
            try {
                check(dir, logPath, flags, damagedOlderLog);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static void check(Path dir, Path logPath, int flags, boolean damagedOlderLog) throws IOException {
        LiveDirectoryOracle.Outcome outcome = oracle.openAndCheck(dir);
        switch (outcome) {
            case LiveDirectoryOracle.Refused refused -> {
                // The oracle checked it names a file of the directory and changed nothing.
            }
            case LiveDirectoryOracle.Recovered recovered -> {
                if ((flags & RECORD_FILE) != 0) {
                    LiveDirectoryOracle.Samples a = recovered.records().get(RECORD);
                    LiveDirectoryOracle.Samples seeded = recordFile();
                    if (a == null || a.channels() != RECORD_CHANNELS || a.count() < RECORD_ROWS) {
                        throw new AssertionError("record " + RECORD + " of " + RECORD_ROWS + " rows came back as " + a);
                    }
                    for (int c = 0; c < RECORD_CHANNELS; c++) {
                        if (!Arrays.equals(a.values()[c], 0, RECORD_ROWS, seeded.values()[c], 0, RECORD_ROWS)) {
                            throw new AssertionError("the replay changed channel " + (c + 1) + " of the rows the file"
                                    + " had: " + Arrays.toString(a.values()[c]));
                        }
                    }
                }
                if (damagedOlderLog) {
                    throw new AssertionError("damage inside " + logPath.getFileName() + ", older than the newest log,"
                            + " was not refused");
                }
            }
        }
    }

    /** Whether the log at {@code p} reads to its end; true when its header is not a log's (refused anyway). */
    private static boolean readsToEnd(Path p) throws IOException {
        try {
            return LiveLog.read(p, e -> { }).tail() == LiveLog.Tail.CLEAN;
        } catch (DamagedLiveFileException e) {
            return true;
        }
    }

    static String logName(long generation) {
        String digits = Long.toUnsignedString(generation);
        return "log-" + "0".repeat(20 - digits.length()) + digits + ".wal";
    }

    /** The samples of record {@link #RECORD}'s file, as {@link #RECORD_FILE} lays it out. */
    static LiveDirectoryOracle.Samples recordFile() {
        double[][] values = new double[RECORD_CHANNELS][RECORD_ROWS];
        for (int c = 0; c < RECORD_CHANNELS; c++) {
            for (int r = 0; r < RECORD_ROWS; r++) {
                values[c][r] = Math.cos(r * 7 + c) * 100;
            }
        }
        return new LiveDirectoryOracle.Samples(RECORD_CHANNELS, RECORD_RATE_HZ, RECORD_START_SECONDS, values);
    }

    /** Writes record {@link #RECORD}'s file with the real writer, synced, as a checkpoint leaves it. */
    static void writeRecordFile(Path dir) throws IOException {
        LiveDirectoryOracle.Samples s = recordFile();
        try (LiveFile f = LiveFile.create(dir.resolve(RECORD + LiveFile.SUFFIX), s.channels(), s.rateHz(),
                s.startTimeSeconds())) {
            f.append(s.values(), s.count());
            f.sync();
        }
    }

    /** The log file {@code flags} asks for, made from the fuzzer's {@code bytes}. */
    static byte[] repaired(int flags, long generation, byte[] bytes) {
        byte[] file = bytes;
        if ((flags & VALID_HEADER) != 0) {
            file = new byte[LiveLog.HEADER_BYTES + bytes.length];
            ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putInt(LiveLog.MAGIC).putShort((short) LiveLog.VERSION)
                    .putShort((short) 0).putLong(generation).put(bytes);
        }
        if ((flags & REPAIR_CRCS) != 0) {
            ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
            int at = LiveLog.HEADER_BYTES;
            while (file.length - at >= LiveLog.ENTRY_PREFIX_BYTES) {
                int body = b.getInt(at);
                if (body < 0 || body > file.length - at - LiveLog.ENTRY_PREFIX_BYTES) {
                    break;
                }
                CRC32C crc = new CRC32C();
                crc.update(file, at + LiveLog.ENTRY_PREFIX_BYTES, body);
                b.putInt(at + 4, (int) crc.getValue());
                at += LiveLog.ENTRY_PREFIX_BYTES + body;
            }
        }
        return file;
    }
}
