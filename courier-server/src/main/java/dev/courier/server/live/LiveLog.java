package dev.courier.server.live;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * The write-ahead log every live record shares: each group commit appends one entry per APPEND it accepts and makes
 * them durable with one fsync, whatever the number of records; the records' own {@link LiveFile}s are written from
 * memory and synced later, at a checkpoint ({@link LiveStore}), after which the log they were in is deleted.
 * Little-endian, like the record files. File {@code log-GENERATION.wal} (generation a 20-digit decimal, growing):
 *
 * <pre>
 *  file:   offset  field
 *          0       magic u32 "CLL1" (0x434C4C31)
 *          4       version u16 (1)
 *          6       reserved u16 (0)
 *          8       generation u64
 *          16      entries, one after the other
 *
 *  entry:  offset  field
 *          0       bodyBytes u32: bytes from offset 8 to the end of the values
 *          4       crc u32: CRC32C of those bodyBytes bytes
 *          8       firstSample u64: the record's sample index of the first row
 *          16      rows u32 (at least 1)
 *          20      channels u16 (at least 1)
 *          22      idBytes u16 (1 to 100)
 *          24      rateHz f64
 *          32      startTime f64 (s): the record's, so a record whose file was never synced is made again
 *          40      id, ASCII
 *          40+idBytes  rows x channels x f64, row-major
 * </pre>
 *
 * A crash can leave a torn last entry (written, never fsync'd, so never acknowledged): {@link #read} stops at the
 * first entry that is short or whose CRC is wrong and says why ({@link Tail}); everything before it is good. Only
 * the newest log can have one: a log is retired (a newer one made) only after a group commit that succeeded, so every
 * byte of an older log was fsync'd, and {@link LiveStore} refuses to start on damage inside one.
 *
 * <p>Not thread-safe: the syncer thread is the only writer; {@link #read} runs at start-up, before it starts.
 */
final class LiveLog implements AutoCloseable {
    static final int MAGIC = 0x434C4C31;
    static final int VERSION = 1;
    static final int HEADER_BYTES = 16;
    static final int ENTRY_HEADER_BYTES = 40;
    /** Bytes of an entry's fields before its id that its CRC does not cover: bodyBytes and crc. */
    static final int ENTRY_PREFIX_BYTES = 8;
    /** A sanity bound on one entry when reading: an APPEND is far smaller (a frame bounds it). */
    static final int MAX_ENTRY_BYTES = 64 << 20;
    private static final Pattern NAME = Pattern.compile("log-(\\d{20})\\.wal");

    private final Path path;
    private final long generation;
    private final FileChannel channel;
    private final CRC32C crc = new CRC32C();
    private ByteBuffer group = ByteBuffer.allocateDirect(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private long sizeBytes;

    private LiveLog(Path path, long generation, FileChannel channel, long sizeBytes) {
        this.path = path;
        this.generation = generation;
        this.channel = channel;
        this.sizeBytes = sizeBytes;
    }

    static Path pathOf(Path dir, long generation) {
        return dir.resolve(String.format("log-%020d.wal", generation));
    }

    /**
     * Creates the log of {@code generation}, its header and directory entry synced: an entry acknowledged in it
     * must not be lost with the file's name.
     */
    static LiveLog create(Path dir, long generation) throws IOException {
        Path p = pathOf(dir, generation);
        FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            h.putInt(MAGIC).putShort((short) VERSION).putShort((short) 0).putLong(generation).flip();
            while (h.hasRemaining()) {
                ch.write(h, h.position());
            }
            ch.force(true);
            LiveFile.syncDirectory(dir);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return new LiveLog(p, generation, ch, HEADER_BYTES);
    }

    Path path() {
        return path;
    }

    long generation() {
        return generation;
    }

    /** Bytes in the file, with what {@link #commit} wrote. */
    long sizeBytes() {
        return sizeBytes;
    }

    /** Adds the entry of one APPEND to the group being built; nothing is written until {@link #commit}. */
    void add(String id, long firstSample, int rows, int channels, double rateHz, double startTimeSeconds,
             double[] values) {
        byte[] idBytes = id.getBytes(StandardCharsets.US_ASCII);
        int body = ENTRY_HEADER_BYTES - ENTRY_PREFIX_BYTES + idBytes.length + values.length * Double.BYTES;
        ensure(ENTRY_PREFIX_BYTES + body);
        int at = group.position();
        group.position(at + ENTRY_PREFIX_BYTES);
        group.putLong(firstSample).putInt(rows).putShort((short) channels).putShort((short) idBytes.length)
                .putDouble(rateHz).putDouble(startTimeSeconds).put(idBytes);
        for (double v : values) {
            group.putDouble(v);
        }
        crc.reset();
        crc.update(group.slice(at + ENTRY_PREFIX_BYTES, body));
        group.putInt(at, body).putInt(at + 4, (int) crc.getValue());
    }

    private void ensure(int more) {
        if (group.remaining() < more) {
            ByteBuffer grown = ByteBuffer.allocateDirect(Math.max(group.capacity() * 2, group.position() + more))
                    .order(ByteOrder.LITTLE_ENDIAN);
            grown.put(group.flip());
            group = grown;
        }
    }

    /** Whether entries wait for {@link #commit}. */
    boolean hasGroup() {
        return group.position() > 0;
    }

    /** Writes the group's entries at the end of the file and fsyncs it once: then they are durable. */
    void commit() throws IOException {
        group.flip();
        try {
            while (group.hasRemaining()) {
                sizeBytes += channel.write(group, sizeBytes);
            }
            channel.force(false);
        } finally {
            group.clear();
        }
    }

    /** Drops a group not committed (its APPENDs are refused). */
    void discardGroup() {
        group.clear();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** Why reading a log stopped where it did. */
    enum Tail {
        /** The file ends after a whole, good entry. */
        CLEAN,
        /** Fewer bytes than an entry's header, or than its bodyBytes say: a write cut short. */
        SHORT,
        /** bodyBytes or the fields are not an entry's (too small, too large, or inconsistent). */
        BAD_FIELDS,
        /** The CRC32C does not match the bytes. */
        BAD_CRC
    }

    /** One entry as read back. */
    record Entry(String id, long firstSample, int rows, int channels, double rateHz, double startTimeSeconds,
                 double[] values) {
        long endSample() {
            return firstSample + rows;
        }
    }

    /**
     * What reading one log found: its generation, the entries handed over, the bytes up to the end of the last good
     * one, the file's size, and why it stopped.
     */
    record Scan(long generation, int entries, long goodBytes, long fileBytes, Tail tail) {
        long cutBytes() {
            return fileBytes - goodBytes;
        }
    }

    /**
     * Reads the log at {@code p}, handing each good entry to {@code to} in order, and stops at the end or at the
     * first bad entry.
     *
     * @throws DamagedLiveFileException when its header is not a log's, or names another generation than its name
     * @throws IOException when the file cannot be read
     */
    static Scan read(Path p, Consumer<Entry> to) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < HEADER_BYTES) {
                // A crash while the log was made, before its header was synced: nothing was written to it yet.
                return new Scan(generationOf(p), 0, 0, size, Tail.SHORT);
            }
            ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, h, 0);
            if (h.hasRemaining() || h.getInt(0) != MAGIC || h.getShort(4) != VERSION) {
                throw new DamagedLiveFileException(p, p + " is not a live log (version " + VERSION + "): restore the"
                        + " live directory from a backup, or move the file out of it to start without its entries");
            }
            long generation = h.getLong(8);
            if (generation != generationOf(p)) {
                // Written with the header and synced before any entry: a crash cannot change it.
                throw new DamagedLiveFileException(p, p + "'s header names generation " + generation + ", not its"
                        + " name's: restore the live directory from a backup, or move the file out of it to start"
                        + " without its entries");
            }
            long at = HEADER_BYTES;
            int entries = 0;
            CRC32C crc = new CRC32C();
            ByteBuffer prefix = ByteBuffer.allocate(ENTRY_PREFIX_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            while (at < size) {
                if (size - at < ENTRY_HEADER_BYTES) {
                    return new Scan(generation, entries, at, size, Tail.SHORT);
                }
                prefix.clear();
                readFully(ch, prefix, at);
                int body = prefix.getInt(0);
                if (body < ENTRY_HEADER_BYTES - ENTRY_PREFIX_BYTES + 1 || body > MAX_ENTRY_BYTES) {
                    return new Scan(generation, entries, at, size, Tail.BAD_FIELDS);
                }
                if (size - at - ENTRY_PREFIX_BYTES < body) {
                    return new Scan(generation, entries, at, size, Tail.SHORT);
                }
                ByteBuffer b = ByteBuffer.allocate(body).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, b, at + ENTRY_PREFIX_BYTES);
                crc.reset();
                crc.update(b.array(), 0, body);
                if ((int) crc.getValue() != prefix.getInt(4)) {
                    return new Scan(generation, entries, at, size, Tail.BAD_CRC);
                }
                Entry e = decode(b);
                if (e == null) {
                    return new Scan(generation, entries, at, size, Tail.BAD_FIELDS);
                }
                to.accept(e);
                entries++;
                at += ENTRY_PREFIX_BYTES + body;
            }
            return new Scan(generation, entries, at, size, Tail.CLEAN);
        }
    }

    /** The entry in {@code b} (its body), or null when its fields do not agree with its length. */
    private static Entry decode(ByteBuffer b) {
        long first = b.getLong(0);
        int rows = b.getInt(8);
        int channels = Short.toUnsignedInt(b.getShort(12));
        int idBytes = Short.toUnsignedInt(b.getShort(14));
        double rate = b.getDouble(16);
        double start = b.getDouble(24);
        int fixed = ENTRY_HEADER_BYTES - ENTRY_PREFIX_BYTES;
        if (first < 0 || rows < 1 || channels < 1 || idBytes < 1 || idBytes > 100 || !(rate > 0)
                || !Double.isFinite(rate) || !Double.isFinite(start)
                || (long) fixed + idBytes + (long) rows * channels * Double.BYTES != b.capacity()) {
            return null;
        }
        byte[] id = new byte[idBytes];
        b.get(fixed, id);
        double[] values = new double[rows * channels];
        for (int i = 0, at = fixed + idBytes; i < values.length; i++, at += Double.BYTES) {
            values[i] = b.getDouble(at);
        }
        return new Entry(new String(id, StandardCharsets.US_ASCII), first, rows, channels, rate, start, values);
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) {
                return;
            }
        }
    }

    /**
     * The logs in {@code dir}, oldest (smallest generation) first.
     *
     * @throws DamagedLiveFileException for a log named with a generation of 2^63 - 1 or more: no generation can follow
     *                                  it, and Courier, which counts one a checkpoint from 1, never names one so
     */
    static List<Path> existing(Path dir) throws IOException {
        List<Path> logs = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "log-*.wal")) {
            for (Path p : files) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                if (m.group(1).compareTo(String.format("%020d", Long.MAX_VALUE)) >= 0) {
                    throw new DamagedLiveFileException(p, p + ": a generation of 2^63 - 1 or more is not a live"
                            + " log's; move the file out of " + dir);
                }
                logs.add(p);
            }
        }
        logs.sort(Comparator.comparingLong(LiveLog::generationOf));
        return logs;
    }

    /** The generation in the name of {@code p}, a log's from {@link #existing} or {@link #pathOf}. */
    static long generationOf(Path p) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException(p + " is not a log's name");
        }
        return Long.parseLong(m.group(1));
    }
}
