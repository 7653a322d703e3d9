package dev.courier.server.live;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * One live record's append-only file: a 32-byte header, then the rows, each a little-endian f64 per channel (row
 * r is sample r; its time is {@code startTime + r / rateHz}).
 *
 * <pre>
 *  offset  field
 *  0       magic u32 "CLV1" (0x434C5631)
 *  4       version u16 (1)
 *  6       channels u16
 *  8       rateHz f64
 *  16      startTime f64 (s)
 *  24      reserved [8]
 *  32      rows x channels x f64
 * </pre>
 *
 * The rows are written and synced at checkpoints only ({@link LiveStore}), from the record's published samples in
 * memory: rows in the {@link LiveLog} (acknowledged, or fsync'd in a group whose ACKs never went out before a
 * crash), never a torn log tail. What was published since the last checkpoint is in the log. A crash in the middle
 * of a checkpoint can leave a torn last row, which {@link #open} cuts back to whole rows (the log still has it).
 *
 * <p>A new record's file is made by the APPEND that creates the record under the provisional name
 * {@code RECORD.live.new} ({@link #NEW_SUFFIX}), its header not synced, and {@link #rename renamed} to
 * {@code RECORD.live} once the log entry that creates the record is fsync'd; the first checkpoint syncs the header
 * and the directory. So after a crash a {@code .live.new} file never holds anything the log lacks (the store deletes
 * it), and a {@code .live} file whose header did not reach the disk ({@link BadHeader}) has its creation entry in a
 * log still, from which the store makes it again. Not thread-safe: the syncer thread creates and renames a file,
 * and from then on the thread running the checkpoint is its only writer.
 */
final class LiveFile implements AutoCloseable {
    static final int MAGIC = 0x434C5631;
    static final int VERSION = 1;
    static final int HEADER_BYTES = 32;
    static final String SUFFIX = ".live";
    /** The name's end of a new record's file until the log entry that creates the record is durable. */
    static final String NEW_SUFFIX = ".live.new";

    final int channelCount;
    final double rateHz;
    final double startTimeSeconds;
    private final FileChannel channel;
    /** Changed once, by {@link #rename} on the syncer thread; read for messages. */
    private volatile Path path;
    private long sizeBytes;
    private boolean dirty;

    private LiveFile(Path path, FileChannel channel, int channelCount, double rateHz, double startTimeSeconds,
                     long sizeBytes) {
        this.path = path;
        this.channel = channel;
        this.channelCount = channelCount;
        this.rateHz = rateHz;
        this.startTimeSeconds = startTimeSeconds;
        this.sizeBytes = sizeBytes;
    }

    /**
     * Creates the file of a new record, holding no row; its header is written, not synced: the next checkpoint syncs
     * it and the directory, and until then the log's entry that creates the record carries what is needed to make it
     * again.
     */
    static LiveFile create(Path path, int channelCount, double rateHz, double startTimeSeconds) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            h.putInt(MAGIC).putShort((short) VERSION).putShort((short) channelCount).putDouble(rateHz)
                    .putDouble(startTimeSeconds).putLong(0).flip();
            while (h.hasRemaining()) {
                ch.write(h);
            }
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        LiveFile file = new LiveFile(path, ch, channelCount, rateHz, startTimeSeconds, HEADER_BYTES);
        file.dirty = true;
        return file;
    }

    /** Why a file holds no whole record file's header: too short, another magic or version, or fields no header has. */
    static final class BadHeader extends IOException {
        BadHeader(String message) {
            super(message);
        }
    }

    /**
     * Opens an existing record's file, cutting a torn last row.
     *
     * @throws BadHeader when the file holds no whole live file's header
     * @throws IOException when it cannot be read
     */
    static LiveFile open(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            while (h.hasRemaining() && ch.read(h, h.position()) > 0) {
                // reads until the header is in or the file ends
            }
            if (h.hasRemaining()) {
                throw new BadHeader(path + " is " + h.position() + " bytes long, shorter than a live record file's "
                        + HEADER_BYTES + "-byte header");
            }
            if (h.getInt(0) != MAGIC || h.getShort(4) != VERSION) {
                throw new BadHeader(path + " is not a live record file (version " + VERSION + ")");
            }
            int channels = Short.toUnsignedInt(h.getShort(6));
            double rate = h.getDouble(8);
            double start = h.getDouble(16);
            if (channels < 1 || !(rate > 0) || !Double.isFinite(rate) || !Double.isFinite(start)) {
                throw new BadHeader(path + ": bad header (channels " + channels + ", rate " + rate + ")");
            }
            long rowBytes = (long) channels * Double.BYTES;
            long size = ch.size();
            long whole = HEADER_BYTES + (size - HEADER_BYTES) / rowBytes * rowBytes;
            if (whole != size) {
                ch.truncate(whole); // the torn row of a crash mid-write: it was never acknowledged
                ch.force(true);
            }
            return new LiveFile(path, ch, channels, rate, start, whole);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Where the file is: its provisional name until {@link #rename}. */
    Path path() {
        return path;
    }

    int rowBytes() {
        return channelCount * Double.BYTES;
    }

    /** Rows in the file. */
    long rows() {
        return (sizeBytes - HEADER_BYTES) / rowBytes();
    }

    /** Reads every row into {@code columns} (one array per channel, each at least {@link #rows()} long). */
    void readAll(double[][] columns) throws IOException {
        int rows = Math.toIntExact(rows());
        ByteBuffer b = ByteBuffer.allocate(Math.max(rowBytes(), 1 << 16) / rowBytes() * rowBytes())
                .order(ByteOrder.LITTLE_ENDIAN);
        long at = HEADER_BYTES;
        int row = 0;
        while (row < rows) {
            b.clear();
            b.limit((int) Math.min(b.capacity(), (long) (rows - row) * rowBytes()));
            while (b.hasRemaining()) {
                if (channel.read(b, at + b.position()) < 0) {
                    throw new IOException(path + " ended while it was read");
                }
            }
            b.flip();
            at += b.limit();
            while (b.hasRemaining()) {
                for (int c = 0; c < channelCount; c++) {
                    columns[c][row] = b.getDouble();
                }
                row++;
            }
        }
    }

    /**
     * Writes rows {@code [rows(), toRow)} of {@code columns} (one array per channel) at the end of the file, not yet
     * synced.
     */
    void append(double[][] columns, long toRow) throws IOException {
        int from = Math.toIntExact(rows());
        int to = Math.toIntExact(toRow);
        if (to <= from) {
            return;
        }
        int perBuffer = Math.max(1, (1 << 16) / rowBytes());
        ByteBuffer b = ByteBuffer.allocate(perBuffer * rowBytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (int row = from; row < to; ) {
            b.clear();
            for (int end = Math.min(to, row + perBuffer); row < end; row++) {
                for (int c = 0; c < channelCount; c++) {
                    b.putDouble(columns[c][row]);
                }
            }
            b.flip();
            while (b.hasRemaining()) {
                sizeBytes += channel.write(b, sizeBytes);
            }
        }
        dirty = true;
    }

    /**
     * Makes every row written so far durable; nothing to do when none was written since the last sync.
     *
     * @return whether it synced
     */
    boolean sync() throws IOException {
        if (!dirty) {
            return false;
        }
        channel.force(false);
        dirty = false;
        return true;
    }

    /**
     * Gives the file its name {@code to} (in the same directory), an atomic rename, not synced: the next checkpoint
     * syncs the directory before it deletes the log that holds the record's creating entry.
     */
    void rename(Path to) throws IOException {
        Files.move(path, to, StandardCopyOption.ATOMIC_MOVE);
        path = to;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** Syncs {@code dir}'s entries (files made or removed in it), where the file system allows it. */
    static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Some file systems cannot open a directory for sync; the header is synced, the entry follows soon.
        }
    }

    static boolean isLiveFile(Path p) {
        return Files.isRegularFile(p) && p.getFileName().toString().endsWith(SUFFIX);
    }
}
