package dev.courier.server.uploads;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Failure;
import dev.courier.server.files.FileRoot;
import dev.courier.server.files.IoErrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single-writer rule of uploads across the nodes of a fleet that share one upload directory: before a node
 * writes an upload it creates {@code NAME.courier-part.lock} beside the part file, atomically (written under a name
 * of its own, then hard-linked into place, which fails when the lock is there already), holding the node's id, its
 * pid, a token of this process and the time (epoch milliseconds) until which the lease holds. The holder renews the
 * lease ({@link #renewAll}, a third of a lease apart) while the upload lives and deletes the lock when it lets the
 * upload go. A node that finds a live lock of another refuses the BEGIN with UPLOAD_CONFLICT; one that finds an
 * expired lock (its holder crashed, or stopped renewing for a whole lease) takes it over: it moves the lock aside
 * under a name of its own, which only one node can do, checks that what it moved is the expired lock it read, and
 * then creates its own.
 *
 * <p>Clocks: the lease time is wall-clock time, so the nodes' clocks must agree to well within a lease (NTP keeps
 * them within milliseconds; the default lease is 30 s). A renewal finds out when another node has taken the lock
 * over (after a stall longer than the lease): the upload is then {@link #lost} and its writes and commit are
 * refused with UPLOAD_CONFLICT on this node.
 *
 * <p>Thread-safe; every method does file I/O (call it off the event loop).
 */
public final class UploadLeases {
    private static final Logger log = LoggerFactory.getLogger(UploadLeases.class);
    /** Suffix, after the part file's name, of its lock. */
    public static final String LOCK_SUFFIX = FileRoot.LOCK_INFIX;

    private final String nodeId;
    private final long pid;
    private final String token;
    private final long leaseMillis;
    private final LongSupplier clockMillis;
    /** The locks this node holds, by lock path, with whether a renewal found them taken over. */
    private final Map<Path, Held> held = new ConcurrentHashMap<>();

    /** A lock this node holds. */
    private static final class Held {
        volatile boolean lost;
    }

    /**
     * @param nodeId      names this node in the lock files (a host name), for the operator who finds one
     * @param leaseMillis how long a lock holds without a renewal: a crashed node's uploads may be resumed through
     *                    another node this long after its last renewal
     * @param clockMillis wall-clock time in epoch milliseconds ({@code System::currentTimeMillis})
     */
    public UploadLeases(String nodeId, long leaseMillis, LongSupplier clockMillis) {
        if (nodeId.isBlank() || nodeId.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new IllegalArgumentException("node id must be printable ASCII without spaces: '" + nodeId + "'");
        }
        if (leaseMillis < 3) {
            throw new IllegalArgumentException("lease must be at least 3 ms: " + leaseMillis);
        }
        this.nodeId = nodeId;
        this.pid = ProcessHandle.current().pid();
        byte[] t = new byte[8];
        new SecureRandom().nextBytes(t);
        this.token = HexFormat.of().formatHex(t);
        this.leaseMillis = leaseMillis;
        this.clockMillis = Objects.requireNonNull(clockMillis, "clockMillis");
    }

    /** How often {@link #renewAll} must run: a third of a lease, so two renewals may fail before it expires. */
    public long renewIntervalMillis() {
        return Math.max(1, leaseMillis / 3);
    }

    /** The lock file of the upload whose part file is {@code part}. */
    public static Path lockOf(Path part) {
        return part.resolveSibling(part.getFileName() + LOCK_SUFFIX);
    }

    /**
     * Takes the lock of {@code part} for this node: creates it, or takes over one whose lease has expired.
     *
     * @throws Failure UPLOAD_CONFLICT while another node's lease holds; IO_ERROR when the lock cannot be written
     */
    public void acquire(Path part, String name) {
        Path lock = lockOf(part);
        try {
            for (int attempt = 0; attempt < 3; attempt++) {
                if (create(lock)) {
                    held.put(lock, new Held());
                    return;
                }
                Lock other = read(lock);
                if (other == null) {
                    continue; // let go of in the meantime: try to create it again
                }
                if (other.token.equals(token)) {
                    held.putIfAbsent(lock, new Held());
                    renew(lock);
                    return;
                }
                if (other.leaseUntilMillis > clockMillis.getAsLong()) {
                    throw conflict(name, other);
                }
                takeOver(lock, other);
            }
            throw new Failure(ErrorCode.UPLOAD_CONFLICT, "'" + name + "' is being claimed by another node at the "
                    + "same moment; try again");
        } catch (IOException e) {
            throw IoErrors.of(e, "cannot lock the upload of '" + name + "'");
        }
    }

    /** Deletes this node's lock of {@code part}, if it still holds it. */
    public void release(Path part) {
        Path lock = lockOf(part);
        Held h = held.remove(lock);
        if (h == null || h.lost) {
            return;
        }
        try {
            Lock now = read(lock);
            if (now != null && now.token.equals(token)) {
                Files.deleteIfExists(lock);
            }
        } catch (IOException e) {
            log.warn("cannot delete the upload lock {}: {}", lock, e.toString());
        }
    }

    /** True when this node held the lock of {@code part} and another node has taken it over since. */
    public boolean lost(Path part) {
        Held h = held.get(lockOf(part));
        return h != null && h.lost;
    }

    /**
     * Refuses to go on with {@code part} once its lock is no longer this node's.
     *
     * @throws Failure UPLOAD_CONFLICT when another node has taken the lock over
     */
    public void check(Path part, String name) {
        Lock now;
        try {
            now = read(lockOf(part));
        } catch (IOException e) {
            throw IoErrors.of(e, "cannot read the lock of the upload of '" + name + "'");
        }
        if (now == null || !now.token.equals(token)) {
            Held h = held.get(lockOf(part));
            if (h != null) {
                h.lost = true;
            }
            throw new Failure(ErrorCode.UPLOAD_CONFLICT, "another node has taken over the upload of '" + name
                    + "' (this node's lease expired); resume it there");
        }
    }

    /** Renews the lease of every lock this node holds; marks those another node has taken over as lost. */
    public void renewAll() {
        for (Map.Entry<Path, Held> e : held.entrySet()) {
            if (e.getValue().lost) {
                continue;
            }
            try {
                Lock now = read(e.getKey());
                if (now == null || !now.token.equals(token)) {
                    e.getValue().lost = true;
                    log.warn("the upload lock {} was taken over by {}; this node stops writing it", e.getKey(),
                            now == null ? "nobody (deleted)" : now.nodeId + " pid " + now.pid);
                    continue;
                }
                renew(e.getKey());
            } catch (IOException ex) {
                log.warn("cannot renew the upload lock {}: {}", e.getKey(), ex.toString());
            }
        }
    }

    /** The locks this node holds now, for tests and the operator. */
    public List<Path> held() {
        return List.copyOf(held.keySet());
    }

    private boolean create(Path lock) throws IOException {
        Path mine = fresh(lock);
        try {
            Files.createLink(lock, mine);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } finally {
            Files.deleteIfExists(mine);
        }
    }

    private void renew(Path lock) throws IOException {
        Files.move(fresh(lock), lock, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Moves an expired lock aside under a name of this process: of several nodes doing so at once, one moves it and
     * the others find nothing (or a live lock, which goes back).
     */
    private void takeOver(Path lock, Lock expired) throws IOException {
        Path aside = lock.resolveSibling(lock.getFileName() + "." + token + ".stale");
        try {
            Files.move(lock, aside, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return;
        }
        Lock moved = read(aside);
        if (moved != null && !moved.token.equals(expired.token) && moved.leaseUntilMillis > clockMillis.getAsLong()) {
            // Another node took it over between our read and our move: give its lock back.
            try {
                Files.createLink(lock, aside);
            } catch (FileAlreadyExistsException ignored) {
                // A third node has created one meanwhile; either way the next round sees a live lock.
            }
        } else {
            log.info("took over the expired upload lock {} of {} pid {}", lock, expired.nodeId, expired.pid);
        }
        Files.deleteIfExists(aside);
    }

    /** A new lock file, with a lease from now, under a name no other process writes. */
    private Path fresh(Path lock) throws IOException {
        Path mine = lock.resolveSibling(lock.getFileName() + "." + token + ".tmp");
        String text = "courier upload lock\nnode " + nodeId + "\npid " + pid + "\ntoken " + token
                + "\nlease-until-ms " + (clockMillis.getAsLong() + leaseMillis) + "\n";
        Files.writeString(mine, text, StandardCharsets.US_ASCII);
        return mine;
    }

    private static Failure conflict(String name, Lock other) {
        return new Failure(ErrorCode.UPLOAD_CONFLICT, "'" + name + "' is being uploaded through another node ("
                + other.nodeId + " pid " + other.pid + "); try again when it is done");
    }

    /** What a lock file says; null when there is none. A file that cannot be parsed counts as expired. */
    private static Lock read(Path lock) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(lock, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return null;
        }
        String node = "?";
        String tokenText = "";
        long pidValue = -1;
        long until = Long.MIN_VALUE;
        for (String line : lines) {
            int space = line.indexOf(' ');
            String key = space < 0 ? line : line.substring(0, space);
            String value = space < 0 ? "" : line.substring(space + 1);
            try {
                switch (key) {
                    case "node" -> node = value;
                    case "pid" -> pidValue = Long.parseLong(value);
                    case "token" -> tokenText = value;
                    case "lease-until-ms" -> until = Long.parseLong(value);
                    default -> { } // the title line, or a field a later version adds
                }
            } catch (NumberFormatException e) {
                until = Long.MIN_VALUE; // torn or foreign: nobody's live lease
            }
        }
        return new Lock(node, pidValue, tokenText, until);
    }

    private record Lock(String nodeId, long pid, String token, long leaseUntilMillis) {
    }
}
