package dev.courier.server.live;

import dev.courier.protocol.fuzz.SeedCorpus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes the seed corpora of {@link LiveLogFuzzTest} and {@link LiveFileFuzzTest} from files the real writers make
 * ({@link LiveLog}, {@link LiveFile}): logs of several groups and records, one of a 16,000-channel entry, whole, cut
 * at every kind of place (inside the header, an entry's prefix, its fields, its values), grown with zeros, with a
 * flipped byte (CRC left bad, or repaired so the fields behind it are read), a length past any entry's, a header of
 * another version or generation, names of the largest generations, each alone, after a record file and before a newer
 * log; and record files of 0, 3 and 8 rows, with a torn last row, cut inside the header, and with each header field
 * spoiled, each alone and with a log that holds the record from sample 0 or from a later one. Skipped unless
 * {@code -Dcourier.fuzz.writeSeeds=true}: {@code mvn -o -q verify -pl courier-server -am -Dtest=LiveFuzzSeeds
 * -Dsurefire.failIfNoSpecifiedTests=false -Dcourier.fuzz.writeSeeds=true}.
 */
@EnabledIfSystemProperty(named = SeedCorpus.WRITE_PROPERTY, matches = "true")
class LiveFuzzSeeds {
    private static final long GENERATION = 7;

    @TempDir
    Path dir;

    @Test
    void write() throws IOException {
        writeLogSeeds();
        writeRecordFileSeeds();
    }

    private void writeLogSeeds() throws IOException {
        SeedCorpus logs = SeedCorpus.of(LiveLogFuzzTest.class, "log");
        byte[] groups = threeGroups();
        int secondEntry = LiveLog.HEADER_BYTES + LiveLog.ENTRY_HEADER_BYTES + 1 + 5 * 2 * Double.BYTES;
        byte[] wide = log(dir.resolve("wide"), l -> l.add("w", 0, 1, 16_000, 100, 0, new double[16_000]));
        byte[] overlapping = log(dir.resolve("overlap"), l -> {
            // Continues record "a" of LiveLogFuzzTest.RECORD_FILE: rows it has, rows it lacks, a gap, other channels.
            l.add(LiveLogFuzzTest.RECORD, 5, 6, LiveLogFuzzTest.RECORD_CHANNELS, LiveLogFuzzTest.RECORD_RATE_HZ,
                    LiveLogFuzzTest.RECORD_START_SECONDS, new double[12]);
            l.add(LiveLogFuzzTest.RECORD, 20, 1, LiveLogFuzzTest.RECORD_CHANNELS, LiveLogFuzzTest.RECORD_RATE_HZ,
                    LiveLogFuzzTest.RECORD_START_SECONDS, new double[2]);
            l.add(LiveLogFuzzTest.RECORD, 11, 1, 3, LiveLogFuzzTest.RECORD_RATE_HZ,
                    LiveLogFuzzTest.RECORD_START_SECONDS, new double[3]);
            l.add(LiveLogFuzzTest.RECORD, 11, 1, LiveLogFuzzTest.RECORD_CHANNELS, 500,
                    LiveLogFuzzTest.RECORD_START_SECONDS, new double[2]);
            l.add("new", 0, 2, 1, 1e-300, 0, new double[] {1, 2});
        });
        for (int[] f : new int[][] {{0, 0}, {LiveLogFuzzTest.RECORD_FILE, 1}, {LiveLogFuzzTest.NEWER_LOG, 2}}) {
            int flags = f[0];
            String as = switch (f[1]) {
                case 0 -> "";
                case 1 -> "-after-record-file";
                default -> "-before-newer-log";
            };
            logs.add("three-groups" + as, input(flags, GENERATION, groups));
            logs.add("overlapping" + as, input(flags, GENERATION, overlapping));
            logs.add("cut-in-header" + as, input(flags, GENERATION, Arrays.copyOf(groups, 5)));
            logs.add("header-only" + as, input(flags, GENERATION, Arrays.copyOf(groups, LiveLog.HEADER_BYTES)));
            logs.add("cut-in-prefix" + as, input(flags, GENERATION, Arrays.copyOf(groups, secondEntry + 3)));
            logs.add("cut-in-fields" + as, input(flags, GENERATION, Arrays.copyOf(groups, secondEntry + 20)));
            logs.add("cut-in-values" + as, input(flags, GENERATION, Arrays.copyOf(groups, groups.length - 1)));
            logs.add("zeros-tail" + as, input(flags, GENERATION, Arrays.copyOf(groups, groups.length + 300)));
            logs.add("flipped-value" + as, input(flags, GENERATION, flip(groups, secondEntry + 60)));
            logs.add("flipped-rows-repaired" + as, input(flags | LiveLogFuzzTest.REPAIR_CRCS, GENERATION,
                    flip(groups, secondEntry + 16)));
            logs.add("flipped-id-repaired" + as, input(flags | LiveLogFuzzTest.REPAIR_CRCS, GENERATION,
                    flip(groups, secondEntry + 40)));
            logs.add("length-past-any" + as, input(flags, GENERATION, putInt(groups, secondEntry,
                    LiveLog.MAX_ENTRY_BYTES + 1)));
            logs.add("version-2" + as, input(flags, GENERATION, putShort(groups, 4, 2)));
            logs.add("other-generation" + as, input(flags, GENERATION, putInt(groups, 8, 8)));
        }
        logs.add("wide-entry-16000-channels", input(0, GENERATION, wide));
        logs.add("empty", input(0, 1, new byte[0]));
        logs.add("fuzzer-header", input(LiveLogFuzzTest.VALID_HEADER | LiveLogFuzzTest.REPAIR_CRCS, 3,
                Arrays.copyOfRange(groups, LiveLog.HEADER_BYTES, groups.length)));
        logs.add("generation-max-minus-1", input(LiveLogFuzzTest.VALID_HEADER, Long.MAX_VALUE - 1, new byte[0]));
        logs.add("generation-max", input(LiveLogFuzzTest.VALID_HEADER, Long.MAX_VALUE, new byte[0]));
        logs.add("generation-2-64-minus-1", input(LiveLogFuzzTest.VALID_HEADER, -1, new byte[0]));
        logs.write();
    }

    private void writeRecordFileSeeds() throws IOException {
        SeedCorpus files = SeedCorpus.of(LiveFileFuzzTest.class, "records");
        for (int rows : new int[] {0, 3, 8}) {
            byte[] file = recordFile(dir.resolve("rows-" + rows), rows);
            for (int flags : new int[] {0, LiveFileFuzzTest.LOG, LiveFileFuzzTest.LOG | LiveFileFuzzTest.LOG_FROM_LATER}) {
                String name = "rows-" + rows + switch (flags) {
                    case 0 -> "";
                    case LiveFileFuzzTest.LOG -> "-log-from-0";
                    default -> "-log-from-" + LiveFileFuzzTest.LATER_SAMPLE;
                };
                files.add(name, withFlags(flags, file));
                files.add(name + "-torn-row", withFlags(flags, Arrays.copyOf(file, file.length + 5)));
                if (rows != 3) {
                    continue;
                }
                for (int cut : new int[] {0, 7, LiveFile.HEADER_BYTES - 1}) {
                    files.add(name + "-cut-at-" + cut, withFlags(flags, Arrays.copyOf(file, cut)));
                }
                files.add(name + "-magic", withFlags(flags, flip(file, 0)));
                files.add(name + "-version-2", withFlags(flags, putShort(file, 4, 2)));
                files.add(name + "-channels-0", withFlags(flags, putShort(file, 6, 0)));
                files.add(name + "-channels-65535", withFlags(flags, putShort(file, 6, 0xFFFF)));
                files.add(name + "-channels-3", withFlags(flags, putShort(file, 6, 3)));
                files.add(name + "-rate-0", withFlags(flags, putDouble(file, 8, 0)));
                files.add(name + "-rate-nan", withFlags(flags, putDouble(file, 8, Double.NaN)));
                files.add(name + "-rate-tiny", withFlags(flags, putDouble(file, 8, Double.MIN_VALUE)));
                files.add(name + "-start-infinite", withFlags(flags, putDouble(file, 16, Double.POSITIVE_INFINITY)));
                files.add(name + "-reserved-set", withFlags(flags, putDouble(file, 24, 1.5)));
            }
        }
        files.write();
    }

    private interface Writes {
        void to(LiveLog log);
    }

    /** A log of generation {@link #GENERATION} with what {@code w} adds, in one group, as the real writer makes it. */
    private static byte[] log(Path in, Writes w) throws IOException {
        Files.createDirectories(in);
        try (LiveLog log = LiveLog.create(in, GENERATION)) {
            w.to(log);
            log.commit();
        }
        return Files.readAllBytes(LiveLog.pathOf(in, GENERATION));
    }

    /** Three groups, two records in the first, as {@code LiveLogTest} writes them. */
    private byte[] threeGroups() throws IOException {
        Path in = dir.resolve("groups");
        Files.createDirectories(in);
        try (LiveLog log = LiveLog.create(in, GENERATION)) {
            log.add("a", 0, 5, 2, 250, 10.0, values(0, 10));
            log.add("bb", 0, 3, 1, 500, -1.5, values(100, 3));
            log.commit();
            log.add("a", 5, 5, 2, 250, 10.0, values(10, 10));
            log.commit();
            log.add("bb", 3, 1, 1, 500, -1.5, values(103, 1));
            log.commit();
        }
        return Files.readAllBytes(LiveLog.pathOf(in, GENERATION));
    }

    /** Record {@code r}'s file of {@code rows} rows, in {@link LiveFileFuzzTest}'s shape, written and synced. */
    private static byte[] recordFile(Path in, int rows) throws IOException {
        Files.createDirectories(in);
        Path p = in.resolve(LiveFileFuzzTest.RECORD + LiveFile.SUFFIX);
        double[][] columns = new double[LiveFileFuzzTest.CHANNELS][rows];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < LiveFileFuzzTest.CHANNELS; c++) {
                columns[c][r] = LiveFileFuzzTest.value(r, c) + 1000;
            }
        }
        try (LiveFile f = LiveFile.create(p, LiveFileFuzzTest.CHANNELS, LiveFileFuzzTest.RATE_HZ,
                LiveFileFuzzTest.START_SECONDS)) {
            f.append(columns, rows);
            f.sync();
        }
        return Files.readAllBytes(p);
    }

    private static double[] values(int from, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = Math.cos(from + i) * 1e3 + i;
        }
        return v;
    }

    /** A {@link LiveLogFuzzTest} input: flags, the generation (little-endian), the log file. */
    private static byte[] input(int flags, long generation, byte[] log) {
        return ByteBuffer.allocate(LiveLogFuzzTest.PREFIX_BYTES + log.length).order(ByteOrder.LITTLE_ENDIAN)
                .put((byte) flags).putLong(generation).put(log).array();
    }

    private static byte[] withFlags(int flags, byte[] file) {
        byte[] b = new byte[file.length + 1];
        b[0] = (byte) flags;
        System.arraycopy(file, 0, b, 1, file.length);
        return b;
    }

    private static byte[] flip(byte[] file, int at) {
        byte[] b = file.clone();
        b[at] ^= 0x10;
        return b;
    }

    private static byte[] putInt(byte[] file, int at, int value) {
        byte[] b = file.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
        return b;
    }

    private static byte[] putShort(byte[] file, int at, int value) {
        byte[] b = file.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putShort(at, (short) value);
        return b;
    }

    private static byte[] putDouble(byte[] file, int at, double value) {
        byte[] b = file.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putDouble(at, value);
        return b;
    }
}
