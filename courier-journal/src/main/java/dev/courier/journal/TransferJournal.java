package dev.courier.journal;

import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Sha256;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The progress of one transfer, kept next to its {@code .courier-part} file so that a transfer cut off at any
 * instant (connection reset, process killed, machine rebooted) resumes from the chunks already written.
 *
 * <pre>
 *  header (58 bytes, written to a temporary file, synced, then renamed into place: it is whole or absent)
 *    magic "CJNL" u32 | version u16 | size u64 | modifiedMillis i64 | sha256 [32] | crc32c of the above u32
 *  entries (20 bytes each, appended after the chunk's bytes are written to the part file)
 *    offset u64 | length u32 | crc32c of the chunk's bytes u32 | crc32c of these 16 bytes u32
 * </pre>
 *
 * Nothing is synced per entry, and entries may be appended in batches ({@link #append(List)}). A torn entry at the
 * end fails its own CRC and is dropped; an entry whose bytes did not reach the disk before a crash fails the data
 * CRC when the caller checks it against the part file ({@link #verified}), and that chunk is fetched again. So the
 * journal never claims a byte that is not there. Big-endian, like the wire. Appends are thread-safe.
 */
public final class TransferJournal implements AutoCloseable {
    public static final int MAGIC = 0x434A4E4C;
    public static final int VERSION = 1;
    static final int HEADER_BYTES = 4 + 2 + 8 + 8 + FrameDescriptor.SHA256_BYTES + 4;
    static final int ENTRY_BYTES = 8 + 4 + 4 + 4;

    /** Which version of which file the journal is about. */
    public record Header(long sizeBytes, long modifiedMillis, Sha256 sha256) {
    }

    /** One chunk written to the part file. */
    public record Entry(long offsetBytes, int lengthBytes, int crc32c) {
    }

    /**
     * An opened journal.
     *
     * @param entries       entries found from an earlier attempt (not yet checked against the part file)
     * @param restartReason why an earlier journal was set aside, if there was one that did not match
     */
    public record Opened(TransferJournal journal, List<Entry> entries, Optional<String> restartReason) {
        public boolean resumed() {
            return !entries.isEmpty();
        }
    }

    private final Path path;
    /** Null while {@link #suspend suspended} or after {@link #close}. */
    private FileChannel channel;
    private boolean closed;
    private long endBytes;

    private TransferJournal(Path path, FileChannel channel, long endBytes) {
        this.path = path;
        this.channel = channel;
        this.endBytes = endBytes;
    }

    /**
     * Opens the journal at {@code path} for the transfer {@code header}. An existing journal for the same header is
     * continued and its entries returned; one for another header (the file changed) is replaced, and the reason
     * returned so the caller can say so.
     */
    public static Opened open(Path path, Header header) throws IOException {
        Optional<String> reason = Optional.empty();
        try (FileChannel old = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES);
            readFully(old, h, 0);
            Header found = h.hasRemaining() ? null : parseHeader(h.flip());
            if (found != null && found.equals(header)) {
                List<Entry> entries = readEntries(old);
                long end = HEADER_BYTES + (long) entries.size() * ENTRY_BYTES;
                FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE);
                ch.truncate(end); // drop a torn tail so new entries follow the last good one
                return new Opened(new TransferJournal(path, ch, end), entries, Optional.empty());
            }
            reason = Optional.of(found == null ? "its journal is unreadable"
                    : describeChange(found, header));
        } catch (NoSuchFileException e) {
            // A new transfer.
        }
        return new Opened(create(path, header), List.of(), reason);
    }

    /** A new journal for {@code header}, replacing any other. */
    public static TransferJournal create(Path path, Header header) throws IOException {
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES);
        h.putInt(MAGIC).putShort((short) VERSION).putLong(header.sizeBytes()).putLong(header.modifiedMillis())
                .put(header.sha256().bytes());
        h.putInt(crc(h.array(), 0, HEADER_BYTES - 4)).flip();
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (h.hasRemaining()) {
                ch.write(h);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
        }
        return new TransferJournal(path, FileChannel.open(path, StandardOpenOption.WRITE), HEADER_BYTES);
    }

    /** Records that {@code entry}'s bytes are in the part file. */
    public void append(Entry entry) throws IOException {
        append(List.of(entry));
    }

    /**
     * Records that the bytes of every entry of {@code entries} are in the part file, with one write: a transfer of
     * many small chunks pays one system call per batch, not per chunk. A crash in the middle of the write tears at
     * most the last entry it reached, which then fails its own CRC and is dropped with everything after it.
     */
    public synchronized void append(List<Entry> entries) throws IOException {
        if (entries.isEmpty()) {
            return;
        }
        if (channel == null) {
            if (closed) {
                throw new ClosedChannelException();
            }
            channel = FileChannel.open(path, StandardOpenOption.WRITE);
        }
        ByteBuffer b = ByteBuffer.allocate(ENTRY_BYTES * entries.size());
        for (Entry entry : entries) {
            int start = b.position();
            b.putLong(entry.offsetBytes()).putInt(entry.lengthBytes()).putInt(entry.crc32c());
            b.putInt(crc(b.array(), start, 16));
        }
        b.flip();
        long at = endBytes;
        while (b.hasRemaining()) {
            at += channel.write(b, at);
        }
        endBytes = at;
    }

    /**
     * The entries whose bytes really are in {@code part}: each is re-read and its CRC32C compared. Run once, when
     * resuming.
     */
    public static RangeSet verified(List<Entry> entries, FileChannel part, long sizeBytes) throws IOException {
        RangeSet ok = new RangeSet();
        long partSize = part.size();
        ByteBuffer buf = null;
        for (Entry e : entries) {
            // A journal on disk may hold anything its CRCs let through: an offset below 0 or an end past 2^63 is
            // no chunk of the file, and must not reach the read (which throws for a negative position).
            if (e.lengthBytes() <= 0 || e.offsetBytes() < 0
                    || e.offsetBytes() > Math.min(sizeBytes, partSize) - e.lengthBytes()) {
                continue;
            }
            if (buf == null || buf.capacity() < e.lengthBytes()) {
                buf = ByteBuffer.allocateDirect(e.lengthBytes());
            }
            buf.clear().limit(e.lengthBytes());
            readFully(part, buf, e.offsetBytes());
            if (buf.hasRemaining()) {
                continue;
            }
            CRC32C c = new CRC32C();
            c.update(buf.flip());
            if ((int) c.getValue() == e.crc32c()) {
                ok.add(e.offsetBytes(), e.lengthBytes());
            }
        }
        return ok;
    }

    public Path path() {
        return path;
    }

    /** Closes and removes the journal: the transfer is complete (or abandoned). */
    public void delete() throws IOException {
        close();
        Files.deleteIfExists(path);
    }

    /**
     * Closes the journal's file until the next {@link #append}, which opens it again: a transfer that sits idle
     * holds no file descriptor.
     */
    public synchronized void suspend() throws IOException {
        if (channel != null) {
            FileChannel c = channel;
            channel = null;
            c.close();
        }
    }

    @Override
    public synchronized void close() throws IOException {
        closed = true;
        suspend();
    }

    private static String describeChange(Header was, Header now) {
        if (was.sizeBytes() != now.sizeBytes()) {
            return "its size changed from " + was.sizeBytes() + " to " + now.sizeBytes() + " bytes";
        }
        if (was.modifiedMillis() != now.modifiedMillis()) {
            return "its modification time changed";
        }
        return "its SHA-256 changed";
    }

    private static Header parseHeader(ByteBuffer h) {
        if (h.getInt(0) != MAGIC || (h.getShort(4) & 0xFFFF) != VERSION
                || h.getInt(HEADER_BYTES - 4) != crc(h.array(), 0, HEADER_BYTES - 4)) {
            return null;
        }
        h.position(6);
        long size = h.getLong();
        long mtime = h.getLong();
        byte[] sha = new byte[FrameDescriptor.SHA256_BYTES];
        h.get(sha);
        return new Header(size, mtime, new Sha256(sha));
    }

    private static List<Entry> readEntries(FileChannel ch) throws IOException {
        List<Entry> entries = new ArrayList<>();
        ByteBuffer e = ByteBuffer.allocate(ENTRY_BYTES);
        for (long at = HEADER_BYTES; ; at += ENTRY_BYTES) {
            e.clear();
            readFully(ch, e, at);
            if (e.hasRemaining() || e.getInt(16) != crc(e.array(), 0, 16)) {
                return entries; // end of file, or a torn last entry
            }
            entries.add(new Entry(e.getLong(0), e.getInt(8), e.getInt(12)));
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
        long pos = at;
        while (b.hasRemaining()) {
            int n = ch.read(b, pos);
            if (n < 0) {
                return;
            }
            pos += n;
        }
    }

    private static int crc(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return (int) c.getValue();
    }
}
