package dev.courier.server.live;

import ch.qos.logback.classic.Level;
import dev.courier.server.points.Recording;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * What the live store's fuzz targets ({@link LiveLogFuzzTest}, {@link LiveFileFuzzTest}) check once they have laid
 * out a live directory: {@link LiveStore#open} either refuses with its typed {@link DamagedLiveFileException} naming a
 * file of the directory, the files left as they were (a record file at most cut back to whole rows, no file added),
 * or recovers cleanly: closed, it leaves no log and every record file holds exactly the record's samples, and opened
 * again it gives the same records. Anything else thrown fails the target.
 *
 * <p>Not thread-safe; one instance per target run, on the thread that runs it.
 */
final class LiveDirectoryOracle {
    /** A live record as read back: its shape and every sample, channel by channel. */
    record Samples(int channels, double rateHz, double startTimeSeconds, double[][] values) {
        int count() {
            return values[0].length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Samples s && channels == s.channels && Double.compare(rateHz, s.rateHz) == 0
                    && Double.compare(startTimeSeconds, s.startTimeSeconds) == 0 && Arrays.deepEquals(values, s.values);
        }

        @Override
        public int hashCode() {
            return Arrays.deepHashCode(values);
        }

        @Override
        public String toString() {
            return channels + " channels at " + rateHz + " Hz from " + startTimeSeconds + " s, " + count() + " samples";
        }
    }

    /** How {@link LiveStore#open} ended: the records it recovered, or its refusal. */
    sealed interface Outcome {
    }

    record Recovered(Map<String, Samples> records) implements Outcome {
    }

    record Refused(DamagedLiveFileException refusal) implements Outcome {
    }

    /** Where a record file's header has its 8 reserved bytes. */
    private static final int RESERVED_OFFSET = 24;
    private static final int RESERVED_BYTES = 8;

    private final Path root;
    private int executions;

    /**
     * @param root a folder of the target's own, under which each execution gets a fresh live directory
     */
    LiveDirectoryOracle(Path root) {
        this.root = root;
        // A WARN for every torn tail and skipped entry would be most of an execution's time; the refusal is the
        // exception, checked here.
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(LiveStore.class.getPackageName()))
                .setLevel(Level.ERROR);
    }

    /** A new, empty live directory; the previous execution's is deleted. */
    Path freshDirectory() {
        try {
            if (executions > 0) {
                deleteTree(root.resolve("live-" + (executions - 1)));
            }
            return Files.createDirectories(root.resolve("live-" + executions++));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Opens the store on {@code dir} as laid out, checks the outcome as the class says, and returns it. */
    Outcome openAndCheck(Path dir) throws IOException {
        Map<String, byte[]> before = files(dir);
        LiveStore store;
        try {
            store = LiveStore.open(LiveConfig.of(dir), id -> false);
        } catch (DamagedLiveFileException e) {
            checkUnchanged(dir, before, e);
            return new Refused(e);
        }
        Map<String, Samples> recovered;
        try (store) {
            recovered = samples(store);
        }
        checkClosed(dir, recovered);
        try (LiveStore again = LiveStore.open(LiveConfig.of(dir), id -> false)) {
            Map<String, Samples> reopened = samples(again);
            if (!reopened.equals(recovered)) {
                throw new AssertionError("reopened, the store holds " + reopened + " instead of " + recovered);
            }
        }
        return new Recovered(recovered);
    }

    private static void checkUnchanged(Path dir, Map<String, byte[]> before, DamagedLiveFileException e)
            throws IOException {
        if (!before.containsKey(e.file().getFileName().toString()) || !dir.equals(e.file().getParent())
                || !e.getMessage().contains(e.file().toString())) {
            throw new AssertionError("refused naming " + e.file() + ", not a file of " + dir + ": " + e.getMessage());
        }
        Map<String, byte[]> after = files(dir);
        if (!after.keySet().equals(before.keySet())) {
            throw new AssertionError("a refused start left " + after.keySet() + " of " + before.keySet(), e);
        }
        for (Map.Entry<String, byte[]> f : after.entrySet()) {
            byte[] was = before.get(f.getKey());
            byte[] is = f.getValue();
            boolean cutRecordFile = f.getKey().endsWith(LiveFile.SUFFIX) && is.length >= LiveFile.HEADER_BYTES
                    && Arrays.equals(is, Arrays.copyOf(was, is.length));
            if (!Arrays.equals(was, is) && !cutRecordFile) {
                throw new AssertionError("a refused start changed " + f.getKey() + " from " + was.length + " to "
                        + is.length + " bytes", e);
            }
        }
    }

    /** After a clean close: no log, no provisional file, and each record file holds exactly its record. */
    private static void checkClosed(Path dir, Map<String, Samples> records) throws IOException {
        Map<String, byte[]> after = files(dir);
        for (Map.Entry<String, byte[]> f : after.entrySet()) {
            String name = f.getKey();
            if (name.endsWith(".wal") || name.endsWith(LiveFile.NEW_SUFFIX)) {
                throw new AssertionError("a clean close left " + name);
            }
            if (!name.endsWith(LiveFile.SUFFIX)) {
                continue;
            }
            Samples s = records.get(name.substring(0, name.length() - LiveFile.SUFFIX.length()));
            byte[] expected = s == null ? null : fileOf(s);
            if (expected != null && expected.length == f.getValue().length) {
                // The reserved bytes are kept as they were read.
                System.arraycopy(f.getValue(), RESERVED_OFFSET, expected, RESERVED_OFFSET, RESERVED_BYTES);
            }
            if (s != null && !Arrays.equals(f.getValue(), expected)) {
                throw new AssertionError(name + " of " + f.getValue().length + " bytes does not hold its record: " + s);
            }
        }
    }

    /** The bytes of the record file of {@code s}, as docs/robustness.md lays it out. */
    static byte[] fileOf(Samples s) {
        ByteBuffer b = ByteBuffer.allocate(LiveFile.HEADER_BYTES + s.count() * s.channels() * Double.BYTES)
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(LiveFile.MAGIC).putShort((short) LiveFile.VERSION).putShort((short) s.channels())
                .putDouble(s.rateHz()).putDouble(s.startTimeSeconds()).putLong(0);
        for (int r = 0; r < s.count(); r++) {
            for (int c = 0; c < s.channels(); c++) {
                b.putDouble(s.values()[c][r]);
            }
        }
        return b.array();
    }

    static Map<String, Samples> samples(LiveStore store) {
        Map<String, Samples> all = new HashMap<>();
        for (Recording r : store.all()) {
            double[][] values = new double[r.channelCount()][r.sampleCount()];
            for (int c = 0; c < values.length; c++) {
                for (int i = 0; i < values[c].length; i++) {
                    values[c][i] = r.value(c + 1, i);
                }
            }
            all.put(r.id(), new Samples(r.channelCount(), r.rateHz(), r.startTimeSeconds(), values));
        }
        return all;
    }

    /** Every file of {@code dir} by name, with its bytes. */
    static Map<String, byte[]> files(Path dir) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : (Iterable<Path>) list::iterator) {
                files.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return files;
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
