package dev.courier.server.uploads;

import dev.courier.protocol.ByteRange;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Failure;
import dev.courier.protocol.Sha256;
import dev.courier.protocol.journal.RangeSet;
import dev.courier.protocol.journal.TransferJournal;
import dev.courier.server.files.Checksums;
import dev.courier.server.files.FileRoot;
import dev.courier.server.files.IoErrors;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Receives uploads into one directory. An upload is written at its offsets into {@code NAME.courier-part} with a
 * {@link TransferJournal} beside it; every write is checked against its CRC32C; the commit checks that every byte
 * is there and that the whole file has the announced SHA-256, syncs, and only then renames it to its final name.
 *
 * <p>One upload per name at a time: the connection that began it holds it while that connection is open, and a
 * second client beginning the same name gets UPLOAD_CONFLICT, so bytes of two uploads never mix. When the holder's
 * connection goes away, a client that begins the same name with the same size and SHA-256 (the same client
 * reconnecting, or after a server restart) continues from what is already there.
 *
 * <p>Thread-safe; blocks on the file system (call it off the event loop).
 */
public final class UploadService {
    private final Path dir;
    private final int maxWriteBytes;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> byName = new HashMap<>();
    private final Map<Long, Session> byId = new ConcurrentHashMap<>();
    /** Recently completed uploads by id, so a commit retried after its reply was lost gets the same answer. */
    private final Map<Long, Done> completed = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(64, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Long, Done> eldest) {
                    return size() > 1024;
                }
            });

    public UploadService(Path dir, int maxWriteBytes) throws IOException {
        Files.createDirectories(dir);
        this.dir = dir.toRealPath();
        this.maxWriteBytes = maxWriteBytes;
    }

    public Path dir() {
        return dir;
    }

    private static final class Session {
        final String name;
        final long id;
        final Path target;
        final Path part;
        final long sizeBytes;
        final Sha256 sha256;
        final FileChannel channel;
        final TransferJournal journal;
        final RangeSet received;
        Channel owner;

        Session(String name, long id, Path target, Path part, long sizeBytes, Sha256 sha256, FileChannel channel,
                TransferJournal journal, RangeSet received, Channel owner) {
            this.name = name;
            this.id = id;
            this.target = target;
            this.part = part;
            this.sizeBytes = sizeBytes;
            this.sha256 = sha256;
            this.channel = channel;
            this.journal = journal;
            this.received = received;
            this.owner = owner;
        }
    }

    /** An upload begun or resumed: its id, the largest write it takes, and the ranges already held. */
    public record Ready(long uploadId, int maxWriteBytes, List<ByteRange> received) {
    }

    /** A committed upload: its size and SHA-256. */
    public record Done(long sizeBytes, Sha256 sha256) {
    }

    /**
     * Begins an upload of {@code name}, or resumes the one already there with the same size and SHA-256.
     *
     * @param owner the connection that will write it; it holds the name while it is open
     * @throws Failure MALFORMED_REQUEST, OUTSIDE_ROOT, NOT_A_FILE, UPLOAD_CONFLICT, IO_ERROR or DISK_FULL
     */
    public Ready begin(String name, long sizeBytes, Sha256 sha256, Channel owner) {
        Path target = target(name);
        synchronized (byName) {
            Session s = byName.get(name);
            if (s != null) {
                if (s.owner != owner && s.owner.isActive()) {
                    throw new Failure(ErrorCode.UPLOAD_CONFLICT,
                            "another client is uploading '" + name + "'; try again when it is done");
                }
                if (s.sizeBytes == sizeBytes && s.sha256.equals(sha256)) {
                    s.owner = owner;
                    return ready(s);
                }
                drop(s);
            }
            s = open(name, sizeBytes, sha256, target, owner);
            byName.put(s.name, s);
            byId.put(s.id, s);
            return ready(s);
        }
    }

    private Ready ready(Session s) {
        synchronized (s) {
            return new Ready(s.id, maxWriteBytes, s.received.ranges());
        }
    }

    private Session open(String name, long sizeBytes, Sha256 sha256, Path target, Channel owner) {
        Path part = target.resolveSibling(target.getFileName() + FileRoot.PART_SUFFIX);
        Path journalPath = part.resolveSibling(part.getFileName() + FileRoot.JOURNAL_SUFFIX);
        try {
            Files.createDirectories(target.getParent());
            TransferJournal.Opened opened = TransferJournal.open(journalPath,
                    new TransferJournal.Header(sizeBytes, 0, sha256));
            FileChannel channel = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            RangeSet received;
            if (opened.resumed()) {
                received = TransferJournal.verified(opened.entries(), channel, sizeBytes);
            } else {
                channel.truncate(0);
                received = new RangeSet();
            }
            return new Session(name, random.nextLong() & Long.MAX_VALUE, target, part,
                    sizeBytes, sha256, channel, opened.journal(), received, owner);
        } catch (IOException e) {
            throw IoErrors.of(e, "cannot start the upload of '" + name + "'");
        }
    }

    /**
     * Writes {@code data} at {@code offsetBytes} of upload {@code uploadId}, after checking it against
     * {@code crc32c}. The caller keeps ownership of {@code data}.
     *
     * @throws Failure UNKNOWN_UPLOAD, MALFORMED_REQUEST, CHECKSUM_MISMATCH, IO_ERROR or DISK_FULL
     */
    public void write(long uploadId, long offsetBytes, int crc32c, ByteBuf data) {
        Session s = session(uploadId);
        int length = data.readableBytes();
        if (length == 0 || length > maxWriteBytes || offsetBytes < 0 || offsetBytes + length > s.sizeBytes) {
            throw new Failure(ErrorCode.MALFORMED_REQUEST, "write of " + length + " bytes at "
                    + offsetBytes + " does not fit the upload of " + s.sizeBytes + " bytes (at most "
                    + maxWriteBytes + " per write)");
        }
        ByteBuffer[] buffers = data.nioBuffers();
        int crc = crc(buffers);
        if (crc != crc32c) {
            throw new Failure(ErrorCode.CHECKSUM_MISMATCH, "the " + length + " bytes at "
                    + offsetBytes + " arrived damaged (CRC32C mismatch); send them again");
        }
        try {
            long position = offsetBytes;
            for (ByteBuffer b : buffers) {
                while (b.hasRemaining()) {
                    position += s.channel.write(b, position);
                }
            }
            s.journal.append(new TransferJournal.Entry(offsetBytes, length, crc));
        } catch (IOException e) {
            throw IoErrors.of(e, "cannot write the upload of '" + s.name + "'");
        }
        synchronized (s) {
            s.received.add(offsetBytes, length);
        }
    }

    /**
     * Completes upload {@code uploadId}: checks every byte is there and the SHA-256 is the announced one, then puts
     * the file in place. A commit of an upload completed a moment ago answers the same again.
     *
     * @throws Failure UNKNOWN_UPLOAD, UPLOAD_INCOMPLETE, DIGEST_MISMATCH, IO_ERROR or DISK_FULL
     */
    public Done commit(long uploadId) {
        Done done = completed.get(uploadId);
        if (done != null) {
            return done;
        }
        Session s = session(uploadId);
        synchronized (byName) {
            synchronized (s) {
                if (!s.received.covers(s.sizeBytes)) {
                    throw new Failure(ErrorCode.UPLOAD_INCOMPLETE, "'" + s.name + "' is missing "
                            + (s.sizeBytes - s.received.totalBytes()) + " of " + s.sizeBytes + " bytes");
                }
            }
            try {
                s.channel.truncate(s.sizeBytes);
                s.channel.force(true);
                Sha256 actual = new Sha256(Checksums.sha256(s.channel, s.sizeBytes));
                if (!actual.equals(s.sha256)) {
                    drop(s);
                    Files.deleteIfExists(s.part);
                    throw new Failure(ErrorCode.DIGEST_MISMATCH, "'" + s.name + "' has SHA-256 "
                            + actual + ", not the announced " + s.sha256 + "; the upload was discarded");
                }
                s.channel.close();
                try {
                    Files.move(s.part, s.target, StandardCopyOption.ATOMIC_MOVE,
                            StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(s.part, s.target, StandardCopyOption.REPLACE_EXISTING);
                }
                syncDirectory(s.target.getParent());
                s.journal.delete();
                byName.remove(s.name);
                byId.remove(s.id);
                Done result = new Done(s.sizeBytes, s.sha256);
                completed.put(s.id, result);
                return result;
            } catch (IOException e) {
                throw IoErrors.of(e, "cannot complete the upload of '" + s.name + "'");
            }
        }
    }

    /** Closes every open upload; their part files and journals stay for a later resume. */
    public void close() {
        synchronized (byName) {
            for (Session s : byName.values()) {
                closeQuietly(s);
            }
            byName.clear();
            byId.clear();
        }
    }

    private void drop(Session s) {
        byName.remove(s.name);
        byId.remove(s.id);
        closeQuietly(s);
        try {
            s.journal.delete();
        } catch (IOException ignored) {
            // A stale journal is ignored by its header next time.
        }
    }

    private static void closeQuietly(Session s) {
        try {
            s.channel.close();
            s.journal.close();
        } catch (IOException ignored) {
            // Nothing buffered here; the journal is append-only.
        }
    }

    private Session session(long uploadId) {
        Session s = byId.get(uploadId);
        if (s == null) {
            throw new Failure(ErrorCode.UNKNOWN_UPLOAD,
                    "no upload " + Long.toHexString(uploadId) + " is in progress (it was completed, replaced or "
                            + "the server restarted); begin it again to resume");
        }
        return s;
    }

    /** The final path of an upload: a relative name that stays inside the upload directory. */
    private Path target(String name) {
        if (name.isEmpty() || name.indexOf('\0') >= 0 || name.endsWith("/")) {
            throw new Failure(ErrorCode.MALFORMED_REQUEST, "'" + name + "' is not a file name");
        }
        if (name.startsWith("/")) {
            throw new Failure(ErrorCode.OUTSIDE_ROOT,
                    "'" + name + "' is absolute; upload names are relative to the upload directory");
        }
        if (name.endsWith(FileRoot.PART_SUFFIX) || name.endsWith(FileRoot.JOURNAL_SUFFIX)) {
            throw new Failure(ErrorCode.MALFORMED_REQUEST,
                    "names ending in " + FileRoot.PART_SUFFIX + " or " + FileRoot.JOURNAL_SUFFIX + " are reserved");
        }
        Path relative = dir.getFileSystem().getPath(name);
        for (Path part : relative) {
            if (part.toString().equals("..")) {
                throw new Failure(ErrorCode.OUTSIDE_ROOT,
                        "'" + name + "' contains '..'; names must stay inside the upload directory");
            }
        }
        Path target = dir.resolve(relative).normalize();
        // Every existing ancestor must be a real directory inside the upload directory (no links out).
        for (Path p = target.getParent(); p != null && p.startsWith(dir) && !p.equals(dir); p = p.getParent()) {
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    if (!p.toRealPath().startsWith(dir) || Files.isSymbolicLink(p)) {
                        throw new Failure(ErrorCode.OUTSIDE_ROOT,
                                "'" + name + "' leads outside the upload directory through a link");
                    }
                } catch (IOException e) {
                    throw IoErrors.of(e, "cannot resolve '" + name + "'");
                }
            }
        }
        if (Files.isSymbolicLink(target) || Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new Failure(ErrorCode.NOT_A_FILE,
                    "'" + name + "' exists and is not a regular file");
        }
        return target;
    }

    private static int crc(ByteBuffer[] buffers) {
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        for (ByteBuffer b : buffers) {
            c.update(b.duplicate());
        }
        return (int) c.getValue();
    }

    static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // Not every file system can sync a directory; the rename itself is already atomic.
        }
    }
}
