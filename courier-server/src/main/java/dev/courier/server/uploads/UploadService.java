package dev.courier.server.uploads;

import dev.courier.protocol.ByteRange;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Failure;
import dev.courier.protocol.Sha256;
import dev.courier.protocol.WireText;
import dev.courier.journal.RangeSet;
import dev.courier.journal.TransferJournal;
import dev.courier.server.access.UploadTransfers;
import dev.courier.server.files.FileRoot;
import dev.courier.server.files.IoErrors;
import io.netty.buffer.ByteBuf;
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
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>Everything an upload holds is bounded by {@link UploadLimits}: its declared size, the free space it may use,
 * the uploads one connection and the whole server keep, its ranges and journal entries, and how long its files stay
 * open and the upload itself is kept. One sweep, on a thread of its own, closes idle uploads' files and drops
 * expired uploads; at start-up and from time to time it also deletes part files and journals that nothing has
 * touched for the expiry. COMMIT hashes on a pool of its own ({@link CommitHasher}) and holds no lock that other
 * uploads take, so a big commit delays nobody else.
 *
 * <p>Nodes that share one upload directory keep the rule across them with {@link UploadLeases}: an upload is
 * registered here only while this node holds its lock, so one whose holder has gone is let go at the next sweep
 * (its files stay; a BEGIN through any node resumes from them), and one whose lock another node has taken over is
 * refused from then on.
 *
 * <p>Thread-safe; blocks on the file system (call it off the event loop). The registry lock is held only for map
 * updates and checks, never for file I/O other than closing descriptors and deleting an expired upload's files.
 */
public final class UploadService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(UploadService.class);
    /** Uploads completed lately, by id, so that a commit retried after its reply was lost gets the same answer. */
    private static final int REMEMBERED_COMMITS = 1024;
    /**
     * A part file is synced in the background ({@link PartSyncer}) every time this much more has been written to it.
     * The bytes then reach the disk while the upload goes on, and COMMIT's own sync has little left to do: a sync of
     * hundreds of MiB at COMMIT holds up every other file's sync on the same file system (ext4 commits its journal
     * for all), so another client's small COMMIT waited most of a second behind a 256 MiB one.
     */
    static final long SYNC_EVERY_BYTES = 16 << 20;

    private final Path dir;
    private final UploadLimits limits;
    private final SpaceReserve reserve;
    private final CommitHasher hasher;
    private final PartSyncer syncer = new PartSyncer();
    private final Leftovers leftovers;
    /** Null on a node that is alone on its upload directory. */
    private final UploadLeases leases;
    private final UploadTransfers transfers = new UploadTransfers();
    private final ScheduledExecutorService sweeper;
    private final SecureRandom random = new SecureRandom();
    /** Guards {@link #byName} and {@link #byId} together: a BEGIN claims a name under it. */
    private final Object registry = new Object();
    private final Map<String, UploadSession> byName = new HashMap<>();
    private final Map<Long, UploadSession> byId = new ConcurrentHashMap<>();
    private final Map<Long, Done> completed = Collections.synchronizedMap(
            new LinkedHashMap<>(64, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Long, Done> eldest) {
                    return size() > REMEMBERED_COMMITS;
                }
            });
    private long lastLeftoverScanNanos;

    /**
     * Opens (creating it if needed) the upload directory, deletes the part files and journals in it that are older
     * than the expiry, and starts the sweep.
     */
    public UploadService(Path dir, UploadLimits limits) throws IOException {
        this(dir, limits, null);
    }

    /**
     * As {@link #UploadService(Path, UploadLimits)}, sharing the upload directory with other nodes through
     * {@code leases} (null for none).
     */
    public UploadService(Path dir, UploadLimits limits, UploadLeases leases) throws IOException {
        this.leases = leases;
        Files.createDirectories(dir);
        this.dir = dir.toRealPath();
        this.limits = limits;
        this.reserve = new SpaceReserve(this.dir, limits.minFreeBytes());
        this.leftovers = new Leftovers(this.dir);
        int removed = leftovers.removeOlderThan(limits.expiryMillis(), byName::containsKey, registry);
        if (removed > 0) {
            log.info("deleted {} abandoned uploads older than {} ms from {}", removed, limits.expiryMillis(),
                    this.dir);
        }
        lastLeftoverScanNanos = System.nanoTime();
        this.hasher = new CommitHasher(CommitHasher.defaultThreads());
        this.sweeper = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("courier-upload-sweep").factory());
        long every = limits.sweepIntervalMillis();
        sweeper.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
        if (leases != null) {
            long renew = leases.renewIntervalMillis();
            sweeper.scheduleWithFixedDelay(leases::renewAll, renew, renew, TimeUnit.MILLISECONDS);
        }
    }

    public Path dir() {
        return dir;
    }

    public UploadLimits limits() {
        return limits;
    }

    /** The access log's view of the uploads: one line per upload transfer ({@link UploadTransfers}). */
    public UploadTransfers transfers() {
        return transfers;
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
     * @throws Failure UPLOAD_TOO_LARGE, TOO_MANY_UPLOADS, MALFORMED_REQUEST, OUTSIDE_ROOT, NOT_A_FILE,
     *                 UPLOAD_CONFLICT, IO_ERROR or DISK_FULL
     */
    public Ready begin(String name, long sizeBytes, Sha256 sha256, UploadHolder owner) {
        if (sizeBytes > limits.maxUploadBytes()) {
            throw new Failure(ErrorCode.UPLOAD_TOO_LARGE, "'" + name + "' would be " + sizeBytes
                    + " bytes; this server takes uploads of at most " + limits.maxUploadBytes() + " bytes");
        }
        Path target = target(name);
        String key = dir.relativize(target).toString();
        Path part = target.resolveSibling(target.getFileName() + FileRoot.PART_SUFFIX);
        Path journalPath = part.resolveSibling(part.getFileName() + FileRoot.JOURNAL_SUFFIX);
        boolean mayResume = Files.exists(journalPath, LinkOption.NOFOLLOW_LINKS);
        UploadSession replaced = null;
        UploadSession evicted = null;
        UploadSession created;
        synchronized (registry) {
            UploadSession s = byName.get(key);
            if (s != null) {
                synchronized (s) {
                    switch (s.state()) {
                        case OPENING, COMMITTING, OPEN -> {
                            checkTakeOver(s, name, owner);
                            checkLease(s);
                            if (s.sizeBytes == sizeBytes && s.sha256.equals(sha256)) {
                                if (!s.heldBy(owner)) {
                                    checkConnectionCap(owner, s);
                                }
                                reserve.admit(name, s.remainingBytes(), promisedBytes(s));
                                s.hold(owner);
                                return s.ready(limits.maxWriteBytes());
                            }
                            replaced = s; // another file under the same name: this one goes, if the new one may come
                        }
                        case DONE, CLOSED -> unregister(s); // on its way out of the registry; the name is free
                    }
                }
            }
            checkConnectionCap(owner, replaced);
            reserve.admit(name, mayResume ? 0 : sizeBytes, promisedBytes(replaced));
            if (byName.size() - (replaced == null ? 0 : 1) >= limits.maxUploads()) {
                evicted = leastRecentlyUsedUnheld();
                if (evicted == null) {
                    throw new Failure(ErrorCode.TOO_MANY_UPLOADS, "the server already has " + byName.size()
                            + " uploads open, the most it takes; try again later");
                }
                evicted.close(); // its files stay, and a BEGIN of its name resumes from them
                unregister(evicted);
            }
            if (replaced != null) {
                synchronized (replaced) {
                    UploadSession.State now = replaced.state();
                    if (now != UploadSession.State.DONE && now != UploadSession.State.CLOSED) {
                        checkTakeOver(replaced, name, owner); // a COMMIT may have started meanwhile
                        replaced.close();
                    }
                }
                unregister(replaced);
            }
            created = new UploadSession(key, random.nextLong() & Long.MAX_VALUE, target, part, journalPath,
                    sizeBytes, sha256, limits.maxJournalEntries(sizeBytes), owner);
            byName.put(key, created);
        }
        if (leases != null) {
            try {
                leases.acquire(part, name);
            } catch (Failure f) {
                synchronized (registry) {
                    unregister(created);
                }
                created.close();
                throw f;
            }
        }
        if (evicted != null) {
            log.info("forgot the unheld upload '{}' to make room; its files stay for a resume",
                    WireText.printable(evicted.name));
        }
        boolean resumed = open(created, replaced);
        synchronized (registry) {
            Failure refused = null;
            if (byName.get(key) != created) {
                refused = new Failure(ErrorCode.SHUTTING_DOWN, "the server is shutting down");
            } else {
                try {
                    reserve.admit(name, created.remainingBytes(), promisedBytes(created));
                } catch (Failure f) {
                    refused = f;
                    unregister(created);
                }
            }
            if (refused == null) {
                created.publish();
                byId.put(created.id, created);
                return created.ready(limits.maxWriteBytes());
            }
            created.close();
            if (!resumed) {
                deleteFiles(created);
            }
            throw refused;
        }
    }

    /**
     * Opens the files of a new upload: continues its journal when it is one for the same size and SHA-256, starts
     * both afresh otherwise. Runs outside the registry lock: verifying a journal reads every byte it claims.
     *
     * @return true when it resumed from what was on disk
     */
    private boolean open(UploadSession s, UploadSession replaced) {
        try {
            if (replaced != null) {
                deleteFiles(replaced); // its writes in flight go on into the unlinked files, never into ours
            }
            Files.createDirectories(s.target.getParent());
            TransferJournal.Opened opened = TransferJournal.open(s.journalPath,
                    new TransferJournal.Header(s.sizeBytes, 0, s.sha256));
            FileChannel channel = null;
            try {
                channel = FileChannel.open(s.part, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
                RangeSet received;
                if (opened.resumed()) {
                    received = TransferJournal.verified(opened.entries(), channel, s.sizeBytes);
                } else {
                    channel.truncate(0);
                    received = new RangeSet();
                }
                s.opened(channel, opened.journal(), received, opened.entries().size());
                return opened.resumed();
            } catch (IOException | RuntimeException e) {
                if (channel != null) {
                    channel.close();
                }
                opened.journal().close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            synchronized (registry) {
                unregister(s);
            }
            s.close();
            if (e instanceof IOException io) {
                throw IoErrors.of(io, "cannot start the upload of '" + s.name + "'");
            }
            throw (RuntimeException) e;
        }
    }

    /**
     * Writes {@code data} at {@code offsetBytes} of upload {@code uploadId}, after checking it against
     * {@code crc32c}. Bytes the upload already holds are acknowledged and not written again. The caller keeps
     * ownership of {@code data}.
     *
     * @throws Failure UNKNOWN_UPLOAD, MALFORMED_REQUEST, CHECKSUM_MISMATCH, UPLOAD_CONFLICT (while committing),
     *                 IO_ERROR or DISK_FULL
     */
    public void write(long uploadId, long offsetBytes, int crc32c, ByteBuf data) {
        UploadSession s = session(uploadId);
        checkLease(s);
        int length = data.readableBytes();
        if (length == 0 || length > limits.maxWriteBytes() || offsetBytes < 0
                || offsetBytes > s.sizeBytes - length) {
            throw new Failure(ErrorCode.MALFORMED_REQUEST, "write of " + length + " bytes at "
                    + offsetBytes + " does not fit the upload of " + s.sizeBytes + " bytes (at most "
                    + limits.maxWriteBytes() + " per write)");
        }
        if (length < limits.minWriteBytes() && offsetBytes + length != s.sizeBytes) {
            throw new Failure(ErrorCode.MALFORMED_REQUEST, "write of " + length + " bytes at " + offsetBytes
                    + " is too short: every write but the one that ends the file carries at least "
                    + limits.minWriteBytes() + " bytes");
        }
        ByteBuffer[] buffers = data.nioBuffers();
        int crc = crc(buffers);
        if (crc != crc32c) {
            throw new Failure(ErrorCode.CHECKSUM_MISMATCH, "the " + length + " bytes at "
                    + offsetBytes + " arrived damaged (CRC32C mismatch); send them again");
        }
        UploadSession.Write w;
        try {
            w = s.startWrite(offsetBytes, length);
        } catch (IOException e) {
            throw IoErrors.of(e, "cannot open the upload of '" + s.name + "'");
        }
        if (w == null) {
            return;
        }
        boolean written = false;
        try {
            FileChannel part = w.part();
            s.hash().write(offsetBytes, buffers, () -> {
                long position = offsetBytes;
                for (ByteBuffer b : buffers) {
                    ByteBuffer left = b.duplicate();
                    while (left.hasRemaining()) {
                        position += part.write(left, position);
                    }
                }
            });
            if (w.journaled()) {
                w.journal().append(new TransferJournal.Entry(offsetBytes, length, crc));
            }
            if (s.wroteUnsynced(length, SYNC_EVERY_BYTES)) {
                syncer.sync(s, part);
            }
            written = true;
        } catch (IOException e) {
            throw IoErrors.of(e, "cannot write the upload of '" + s.name + "'");
        } finally {
            s.endWrite(offsetBytes, length, written);
        }
        if (written) {
            s.catchUpHash();
        }
    }

    /**
     * Completes upload {@code uploadId}: checks every byte is there and the SHA-256 is the announced one, then puts
     * the file in place. A commit of an upload completed a moment ago answers the same again. Holds no lock that
     * other uploads take while it syncs and hashes.
     *
     * @param announced the file's SHA-256 as the COMMIT announces it (a client that hashed while it sent); empty
     *                  when the BEGIN's is the one to check
     * @throws Failure UNKNOWN_UPLOAD, UPLOAD_INCOMPLETE, DIGEST_MISMATCH, IO_ERROR or DISK_FULL
     */
    public Done commit(long uploadId, Optional<Sha256> announced) {
        Done done = completed.get(uploadId);
        if (done != null) {
            return done;
        }
        UploadSession s = session(uploadId);
        FileChannel part;
        try {
            part = s.startCommit();
        } catch (IOException e) {
            throw IoErrors.of(e, "cannot open the upload of '" + s.name + "'");
        }
        if (part == null) {
            done = completed.get(uploadId);
            if (done == null) {
                throw UploadSession.unknown(uploadId);
            }
            return done;
        }
        boolean over = false;
        try {
            part.truncate(s.sizeBytes);
            if (part.size() < s.sizeBytes) {
                // Cut short from outside: the bytes the writes hashed are no longer all there.
                throw new IOException("the part file holds " + part.size() + " of " + s.sizeBytes + " bytes");
            }
            part.force(true);
            Sha256 actual = hasher.sha256(part, s.sizeBytes, s.hash().prefix());
            Sha256 expected = announced.orElse(s.sha256);
            if (!actual.equals(expected)) {
                over = true;
                discard(s);
                throw new Failure(ErrorCode.DIGEST_MISMATCH, "'" + s.name + "' has SHA-256 "
                        + actual + ", not the announced " + expected + "; the upload was discarded");
            }
            s.closePartFile();
            if (leases != null) {
                leases.check(s.part, s.name); // the last moment another node's takeover can still be honoured
            }
            try {
                Files.move(s.part, s.target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(s.part, s.target, StandardCopyOption.REPLACE_EXISTING);
            }
            over = true; // the file is in place: whatever happens now, the upload is done
            syncDirectory(s.target.getParent());
            try {
                s.journal().delete();
            } catch (IOException e) {
                log.warn("cannot delete the journal of '{}': {}", WireText.printable(s.name), e.toString());
            }
            Done result = new Done(s.sizeBytes, actual);
            completed.put(s.id, result);
            synchronized (registry) {
                unregister(s);
            }
            s.committed();
            return result;
        } catch (IOException e) {
            throw IoErrors.of(e, "cannot complete the upload of '" + s.name + "'");
        } finally {
            if (!over) {
                s.commitFailed();
            }
        }
    }

    /**
     * Closes every open upload and stops the sweep and the hashing; part files and journals stay for a later
     * resume.
     */
    @Override
    public void close() {
        sweeper.shutdownNow();
        synchronized (registry) {
            for (UploadSession s : byName.values()) {
                s.close();
                if (leases != null) {
                    leases.release(s.part);
                }
            }
            byName.clear();
            byId.clear();
        }
        hasher.close();
        syncer.close();
    }

    /**
     * The periodic sweep: closes the files of uploads idle for the idle-close time or whose holder is gone, drops
     * uploads untouched for the expiry (deleting their files), and now and then deletes abandoned files on disk.
     */
    void sweep() {
        try {
            long now = System.nanoTime();
            List<UploadSession> all;
            synchronized (registry) {
                all = new ArrayList<>(byName.values());
            }
            long idleNanos = TimeUnit.MILLISECONDS.toNanos(limits.idleCloseMillis());
            long expiryNanos = TimeUnit.MILLISECONDS.toNanos(limits.expiryMillis());
            for (UploadSession s : all) {
                synchronized (registry) {
                    // Under the registry lock, so that no BEGIN of the name opens new files between the two steps.
                    if (s.expire(now, expiryNanos)) {
                        unregister(s);
                        deleteFiles(s);
                        log.info("dropped the upload '{}': untouched for {} ms", WireText.printable(s.name),
                                limits.expiryMillis());
                        continue;
                    }
                    if (leases != null && (s.evictable() || leases.lost(s.part))) {
                        // Its holder has gone (or another node took it over): its lock goes, so that the upload can
                        // resume through any node, from its files.
                        s.close();
                        unregister(s);
                        continue;
                    }
                }
                s.closeFilesIfIdle(now, idleNanos);
            }
            if (now - lastLeftoverScanNanos >= TimeUnit.MILLISECONDS.toNanos(limits.leftoverScanIntervalMillis())) {
                lastLeftoverScanNanos = now;
                leftovers.removeOlderThan(limits.expiryMillis(), byName::containsKey, registry);
            }
        } catch (IOException | RuntimeException e) {
            log.warn("the upload sweep failed; it runs again in {} ms", limits.sweepIntervalMillis(), e);
        }
    }

    /** A BEGIN by {@code owner} may resume or replace {@code s} only when it is open and not held by another. */
    private static void checkTakeOver(UploadSession s, String name, UploadHolder owner) {
        switch (s.state()) {
            case OPENING -> throw new Failure(ErrorCode.UPLOAD_CONFLICT,
                    "'" + name + "' is being opened by another BEGIN; try again in a moment");
            case COMMITTING -> throw new Failure(ErrorCode.UPLOAD_CONFLICT,
                    "'" + name + "' is being committed; try again when it is done");
            case OPEN -> {
                if (s.held() && !s.heldBy(owner)) {
                    throw new Failure(ErrorCode.UPLOAD_CONFLICT,
                            "another client is uploading '" + name + "'; try again when it is done");
                }
            }
            case DONE, CLOSED -> throw UploadSession.unknown(s.id); // not reached: such uploads are unregistered
        }
    }

    /** A session whose lock another node has taken over takes nothing more on this node. */
    private void checkLease(UploadSession s) {
        if (leases != null && leases.lost(s.part)) {
            throw new Failure(ErrorCode.UPLOAD_CONFLICT, "another node has taken over the upload of '" + s.name
                    + "' (this node's lease expired); resume it there");
        }
    }

    /** Uploads {@code owner} holds open, not counting {@code except}, must be fewer than its cap. */
    private void checkConnectionCap(UploadHolder owner, UploadSession except) {
        int held = 0;
        for (UploadSession s : byName.values()) {
            if (s != except && s.activeFor(owner)) {
                held++;
            }
        }
        if (held >= limits.maxUploadsPerConnection()) {
            throw new Failure(ErrorCode.TOO_MANY_UPLOADS, "this connection already holds " + held
                    + " uploads open, the most one connection may; commit one or use another connection");
        }
    }

    /** The bytes still due to the uploads held open by a connection, other than {@code except}. */
    private long promisedBytes(UploadSession except) {
        long bytes = 0;
        for (UploadSession s : byName.values()) {
            if (s != except && s.held()) {
                bytes += s.remainingBytes();
            }
        }
        return bytes;
    }

    private UploadSession leastRecentlyUsedUnheld() {
        UploadSession oldest = null;
        for (UploadSession s : byName.values()) {
            if (s.evictable() && (oldest == null || s.lastTouchedNanos() - oldest.lastTouchedNanos() < 0)) {
                oldest = s;
            }
        }
        return oldest;
    }

    /** Removes {@code s} from the registry, if it is still there. Call with the registry lock held. */
    private void unregister(UploadSession s) {
        boolean registered = byName.remove(s.name, s);
        byId.remove(s.id, s);
        if (registered && leases != null) {
            leases.release(s.part);
        }
    }

    /** A commit found other bytes than announced: the upload and its files go. */
    private void discard(UploadSession s) {
        s.close();
        synchronized (registry) {
            unregister(s);
            deleteFiles(s);
        }
    }

    private static void deleteFiles(UploadSession s) {
        try {
            Files.deleteIfExists(s.part);
            Files.deleteIfExists(s.journalPath);
        } catch (IOException e) {
            log.warn("cannot delete the files of the upload '{}': {}", WireText.printable(s.name), e.toString());
        }
    }

    private UploadSession session(long uploadId) {
        UploadSession s = byId.get(uploadId);
        if (s == null) {
            throw UploadSession.unknown(uploadId);
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
        if (name.endsWith(FileRoot.PART_SUFFIX) || name.endsWith(FileRoot.JOURNAL_SUFFIX)
                || name.contains(FileRoot.PART_SUFFIX + UploadLeases.LOCK_SUFFIX)) {
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
        CRC32C c = new CRC32C();
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
