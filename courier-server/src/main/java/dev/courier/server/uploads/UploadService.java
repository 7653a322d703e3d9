package dev.courier.server.uploads;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ProtocolException;
import dev.courier.protocol.Sha256;
import dev.courier.protocol.UploadAck;
import dev.courier.protocol.UploadBegin;
import dev.courier.protocol.UploadCommit;
import dev.courier.protocol.UploadDone;
import dev.courier.protocol.UploadReady;
import dev.courier.protocol.UploadWrite;
import dev.courier.protocol.journal.RangeSet;
import dev.courier.protocol.journal.TransferJournal;
import dev.courier.server.files.Checksums;
import dev.courier.server.files.FileRoot;
import dev.courier.server.files.IoErrors;
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
    private final Map<Long, UploadDone> completed = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(64, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Long, UploadDone> eldest) {
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

    public UploadReady begin(UploadBegin request, Channel owner) {
        int rid = request.requestId();
        Path target = target(request.name(), rid);
        synchronized (byName) {
            Session s = byName.get(request.name());
            if (s != null) {
                if (s.owner != owner && s.owner.isActive()) {
                    throw new ProtocolException(ErrorCode.UPLOAD_CONFLICT, rid,
                            "another client is uploading '" + request.name() + "'; try again when it is done");
                }
                if (s.sizeBytes == request.sizeBytes() && s.sha256.equals(request.sha256())) {
                    s.owner = owner;
                    return ready(rid, s);
                }
                drop(s);
            }
            s = open(request, target, owner);
            byName.put(s.name, s);
            byId.put(s.id, s);
            return ready(rid, s);
        }
    }

    private UploadReady ready(int requestId, Session s) {
        synchronized (s) {
            return new UploadReady(requestId, s.id, maxWriteBytes, s.received.ranges());
        }
    }

    private Session open(UploadBegin request, Path target, Channel owner) {
        int rid = request.requestId();
        Path part = target.resolveSibling(target.getFileName() + FileRoot.PART_SUFFIX);
        Path journalPath = part.resolveSibling(part.getFileName() + FileRoot.JOURNAL_SUFFIX);
        try {
            Files.createDirectories(target.getParent());
            TransferJournal.Opened opened = TransferJournal.open(journalPath,
                    new TransferJournal.Header(request.sizeBytes(), 0, request.sha256()));
            FileChannel channel = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            RangeSet received;
            if (opened.resumed()) {
                received = TransferJournal.verified(opened.entries(), channel, request.sizeBytes());
            } else {
                channel.truncate(0);
                received = new RangeSet();
            }
            return new Session(request.name(), random.nextLong() & Long.MAX_VALUE, target, part,
                    request.sizeBytes(), request.sha256(), channel, opened.journal(), received, owner);
        } catch (IOException e) {
            throw IoErrors.of(e, rid, "cannot start the upload of '" + request.name() + "'");
        }
    }

    public UploadAck write(UploadWrite w) {
        int rid = w.requestId();
        Session s = session(w.uploadId(), rid);
        int length = w.lengthBytes();
        if (length == 0 || length > maxWriteBytes || w.offsetBytes() < 0
                || w.offsetBytes() + length > s.sizeBytes) {
            throw new ProtocolException(ErrorCode.MALFORMED_REQUEST, rid, "write of " + length + " bytes at "
                    + w.offsetBytes() + " does not fit the upload of " + s.sizeBytes + " bytes (at most "
                    + maxWriteBytes + " per write)");
        }
        ByteBuffer[] buffers = w.data().nioBuffers();
        int crc = crc(buffers);
        if (crc != w.crc32c()) {
            throw new ProtocolException(ErrorCode.CHECKSUM_MISMATCH, rid, "the " + length + " bytes at "
                    + w.offsetBytes() + " arrived damaged (CRC32C mismatch); send them again");
        }
        try {
            long position = w.offsetBytes();
            for (ByteBuffer b : buffers) {
                while (b.hasRemaining()) {
                    position += s.channel.write(b, position);
                }
            }
            s.journal.append(new TransferJournal.Entry(w.offsetBytes(), length, crc));
        } catch (IOException e) {
            throw IoErrors.of(e, rid, "cannot write the upload of '" + s.name + "'");
        }
        synchronized (s) {
            s.received.add(w.offsetBytes(), length);
        }
        return new UploadAck(rid, w.offsetBytes(), length);
    }

    public UploadDone commit(UploadCommit c) {
        int rid = c.requestId();
        UploadDone done = completed.get(c.uploadId());
        if (done != null) {
            return new UploadDone(rid, done.sizeBytes(), done.sha256());
        }
        Session s = session(c.uploadId(), rid);
        synchronized (byName) {
            synchronized (s) {
                if (!s.received.covers(s.sizeBytes)) {
                    throw new ProtocolException(ErrorCode.UPLOAD_INCOMPLETE, rid, "'" + s.name + "' is missing "
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
                    throw new ProtocolException(ErrorCode.DIGEST_MISMATCH, rid, "'" + s.name + "' has SHA-256 "
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
                UploadDone result = new UploadDone(rid, s.sizeBytes, s.sha256);
                completed.put(s.id, result);
                return result;
            } catch (IOException e) {
                throw IoErrors.of(e, rid, "cannot complete the upload of '" + s.name + "'");
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

    private Session session(long uploadId, int requestId) {
        Session s = byId.get(uploadId);
        if (s == null) {
            throw new ProtocolException(ErrorCode.UNKNOWN_UPLOAD, requestId,
                    "no upload " + Long.toHexString(uploadId) + " is in progress (it was completed, replaced or "
                            + "the server restarted); begin it again to resume");
        }
        return s;
    }

    /** The final path of an upload: a relative name that stays inside the upload directory. */
    private Path target(String name, int requestId) {
        if (name.isEmpty() || name.indexOf('\0') >= 0 || name.endsWith("/")) {
            throw new ProtocolException(ErrorCode.MALFORMED_REQUEST, requestId, "'" + name + "' is not a file name");
        }
        if (name.startsWith("/")) {
            throw new ProtocolException(ErrorCode.OUTSIDE_ROOT, requestId,
                    "'" + name + "' is absolute; upload names are relative to the upload directory");
        }
        if (name.endsWith(FileRoot.PART_SUFFIX) || name.endsWith(FileRoot.JOURNAL_SUFFIX)) {
            throw new ProtocolException(ErrorCode.MALFORMED_REQUEST, requestId,
                    "names ending in " + FileRoot.PART_SUFFIX + " or " + FileRoot.JOURNAL_SUFFIX + " are reserved");
        }
        Path relative = dir.getFileSystem().getPath(name);
        for (Path part : relative) {
            if (part.toString().equals("..")) {
                throw new ProtocolException(ErrorCode.OUTSIDE_ROOT, requestId,
                        "'" + name + "' contains '..'; names must stay inside the upload directory");
            }
        }
        Path target = dir.resolve(relative).normalize();
        // Every existing ancestor must be a real directory inside the upload directory (no links out).
        for (Path p = target.getParent(); p != null && p.startsWith(dir) && !p.equals(dir); p = p.getParent()) {
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    if (!p.toRealPath().startsWith(dir) || Files.isSymbolicLink(p)) {
                        throw new ProtocolException(ErrorCode.OUTSIDE_ROOT, requestId,
                                "'" + name + "' leads outside the upload directory through a link");
                    }
                } catch (IOException e) {
                    throw IoErrors.of(e, requestId, "cannot resolve '" + name + "'");
                }
            }
        }
        if (Files.isSymbolicLink(target) || Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new ProtocolException(ErrorCode.NOT_A_FILE, requestId,
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
