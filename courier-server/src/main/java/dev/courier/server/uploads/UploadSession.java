package dev.courier.server.uploads;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Failure;
import dev.courier.protocol.Sha256;
import dev.courier.journal.RangeSet;
import dev.courier.journal.TransferJournal;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One upload the server knows: its name, declared size and SHA-256, the ranges it holds, the connection that
 * holds it, and its part file and journal. The files are open only while the upload is being written: they are
 * opened by the first write and closed again when it has been idle a while or its holder went away, so an
 * upload that nobody writes holds no descriptor.
 *
 * <pre>
 *   OPENING --(files opened, space admitted)--> OPEN --COMMIT--> COMMITTING --renamed--> DONE
 *                                                 ^                  |
 *                                                 +----(failed)------+
 *   any state but DONE --(replaced, expired, evicted, discarded, shut down)--> CLOSED
 * </pre>
 *
 * <p>Thread-safe: state, ranges and files are guarded by this object's monitor. A write's bytes go to the file
 * outside the monitor, so writes to one upload run in parallel; a write counts itself in {@code writers} so that
 * the files are not closed under it and a COMMIT waits for it.
 */
final class UploadSession {
    enum State { OPENING, OPEN, COMMITTING, DONE, CLOSED }

    /** A write let in by {@link #startWrite}: where its bytes go, and whether it gets a journal entry. */
    record Write(FileChannel part, TransferJournal journal, boolean journaled) {
    }

    /** The name relative to the upload directory, normalized: one key per file, however the client spelled it. */
    final String name;
    final long id;
    final Path target;
    final Path part;
    final Path journalPath;
    final long sizeBytes;
    final Sha256 sha256;
    private final long maxJournalEntries;

    private State state = State.OPENING;
    private UploadHolder holder;
    private RangeSet received = new RangeSet();
    private long journalEntries;
    /** Null while the files are closed. */
    private FileChannel partChannel;
    private TransferJournal journal;
    private int writers;
    private long lastTouchedNanos = System.nanoTime();
    /** Bytes written since the part file was last synced, and whether a write is syncing it now. */
    private long unsyncedBytes;
    private boolean syncing;
    /** The hash of the bytes that arrived in order; its own lock, never taken while holding this monitor. */
    private final InOrderHash hash = new InOrderHash();

    UploadSession(String name, long id, Path target, Path part, Path journalPath, long sizeBytes, Sha256 sha256,
                  long maxJournalEntries, UploadHolder holder) {
        this.name = name;
        this.id = id;
        this.target = target;
        this.part = part;
        this.journalPath = journalPath;
        this.sizeBytes = sizeBytes;
        this.sha256 = sha256;
        this.maxJournalEntries = maxJournalEntries;
        this.holder = holder;
    }

    /** The hash of the bytes written in order so far, which writes feed and COMMIT goes on from. */
    InOrderHash hash() {
        return hash;
    }

    static Failure unknown(long uploadId) {
        return new Failure(ErrorCode.UNKNOWN_UPLOAD, "no upload " + Long.toHexString(uploadId) + " is in progress "
                + "(it was completed, replaced or expired, or the server restarted); begin it again to resume");
    }

    /** Its files are open and its journal read: what it already holds is known. Still OPENING. */
    synchronized void opened(FileChannel channel, TransferJournal opened, RangeSet held, long entries) {
        partChannel = channel;
        journal = opened;
        received = held;
        journalEntries = entries;
    }

    /** Admitted: writes and commits may come. */
    synchronized void publish() {
        state = State.OPEN;
        lastTouchedNanos = System.nanoTime();
    }

    synchronized State state() {
        return state;
    }

    /** Held by a connection that is still open. */
    synchronized boolean held() {
        return holder != null && holder.isOpen();
    }

    synchronized boolean heldBy(UploadHolder c) {
        return holder == c && c.isOpen();
    }

    /** Held open by {@code c} and not finished: it counts against that connection's cap and in the space promised. */
    synchronized boolean activeFor(UploadHolder c) {
        return heldBy(c) && (state == State.OPENING || state == State.OPEN || state == State.COMMITTING);
    }

    synchronized void hold(UploadHolder c) {
        holder = c;
        lastTouchedNanos = System.nanoTime();
    }

    /** Bytes still to come. */
    synchronized long remainingBytes() {
        return sizeBytes - received.totalBytes();
    }

    synchronized UploadService.Ready ready(int maxWriteBytes) {
        return new UploadService.Ready(id, maxWriteBytes, received.ranges());
    }

    synchronized long lastTouchedNanos() {
        return lastTouchedNanos;
    }

    /** Open, not written to right now, and its holder gone: it may be forgotten to make room for another. */
    synchronized boolean evictable() {
        return state == State.OPEN && writers == 0 && !held();
    }

    /**
     * Lets a write of {@code [offsetBytes, offsetBytes + lengthBytes)} in, opening the files if they are closed.
     * Every call that returns a write must be followed by {@link #endWrite}.
     *
     * @return null when every one of those bytes is held already: the write is acknowledged and not written again
     * @throws Failure UNKNOWN_UPLOAD, UPLOAD_CONFLICT while committing, MALFORMED_REQUEST for one range too many
     */
    synchronized Write startWrite(long offsetBytes, int lengthBytes) throws IOException {
        switch (state) {
            case OPEN -> {
            }
            case COMMITTING -> throw new Failure(ErrorCode.UPLOAD_CONFLICT,
                    "'" + name + "' is being committed and takes no more writes");
            case OPENING, DONE, CLOSED -> throw unknown(id);
        }
        lastTouchedNanos = System.nanoTime();
        if (received.contains(offsetBytes, lengthBytes)) {
            return null;
        }
        // Each write in flight may add one range when it lands; count them so the cap holds whatever the order.
        if (!received.touches(offsetBytes, lengthBytes) && received.count() + writers >= UploadLimits.MAX_RANGES) {
            throw new Failure(ErrorCode.MALFORMED_REQUEST, "'" + name + "' already has " + received.count()
                    + " separate ranges, the most an upload may have; write the gaps between them first");
        }
        if (partChannel == null) {
            partChannel = FileChannel.open(part, StandardOpenOption.READ, StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS);
        }
        writers++;
        boolean journaled = journalEntries < maxJournalEntries;
        if (journaled) {
            journalEntries++;
        }
        return new Write(partChannel, journal, journaled);
    }

    /**
     * Counts {@code lengthBytes} just written; true when the part file is due a sync, which the caller then does
     * (still inside its write) and reports with {@link #synced}. One write syncs at a time.
     */
    synchronized boolean wroteUnsynced(int lengthBytes, long syncEveryBytes) {
        unsyncedBytes += lengthBytes;
        if (syncing || unsyncedBytes < syncEveryBytes) {
            return false;
        }
        syncing = true;
        unsyncedBytes = 0;
        return true;
    }

    synchronized void synced() {
        syncing = false;
    }

    /** A write let in by {@link #startWrite} is over; its bytes count as held when it {@code succeeded}. */
    synchronized void endWrite(long offsetBytes, int lengthBytes, boolean succeeded) {
        writers--;
        if (succeeded) {
            received.add(offsetBytes, lengthBytes);
        }
        lastTouchedNanos = System.nanoTime();
        if (writers == 0) {
            if (state == State.CLOSED) {
                closeFiles();
            }
            notifyAll(); // a COMMIT may be waiting for the writes in flight
        }
    }

    /**
     * Feeds the in-order hash the bytes held right after where it ends, which writes that overtook others left
     * unhashed, reading them back from the part file. The file is held open for it as for a write.
     */
    void catchUpHash() {
        long from = hash.hashedBytes();
        long to;
        FileChannel channel;
        synchronized (this) {
            to = received.endOfRangeAt(from);
            if (state != State.OPEN || partChannel == null || to <= from) {
                return;
            }
            writers++;
            channel = partChannel;
        }
        try {
            hash.catchUp(channel, from, to);
        } finally {
            endWrite(from, 0, false);
        }
    }

    /**
     * Starts the commit: no write is let in from now on, and the ones in flight are waited for. A second COMMIT
     * waits for the first to end.
     *
     * @return the part file, open; null when an earlier COMMIT of this upload has completed it
     * @throws Failure UNKNOWN_UPLOAD, or UPLOAD_INCOMPLETE (and the upload stays open for the missing bytes)
     */
    synchronized FileChannel startCommit() throws IOException {
        while (state == State.COMMITTING) {
            awaitChange();
        }
        switch (state) {
            case OPEN -> {
            }
            case DONE -> {
                return null;
            }
            case OPENING, COMMITTING, CLOSED -> throw unknown(id);
        }
        state = State.COMMITTING;
        try {
            while (writers > 0) {
                awaitChange();
            }
        } catch (Failure interrupted) {
            reopen();
            throw interrupted;
        }
        if (!received.covers(sizeBytes)) {
            reopen();
            throw new Failure(ErrorCode.UPLOAD_INCOMPLETE, "'" + name + "' is missing "
                    + (sizeBytes - received.totalBytes()) + " of " + sizeBytes + " bytes");
        }
        try {
            if (partChannel == null) {
                partChannel = FileChannel.open(part, StandardOpenOption.READ, StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS);
            }
        } catch (IOException e) {
            reopen();
            throw e;
        }
        return partChannel;
    }

    /** The commit failed in a way the client may retry: writes and commits are let in again. */
    synchronized void commitFailed() {
        if (state == State.COMMITTING) {
            reopen();
        }
    }

    /** The part file has its final name and the journal is gone. */
    synchronized void committed() {
        state = State.DONE;
        closeFiles();
        notifyAll();
    }

    /** Closes the part file (before its rename); the journal stays until the file is in place. */
    synchronized void closePartFile() throws IOException {
        if (partChannel != null) {
            FileChannel c = partChannel;
            partChannel = null;
            c.close();
        }
    }

    synchronized TransferJournal journal() {
        return journal;
    }

    /**
     * Closes the files of an open upload nobody is writing, when it has been idle for {@code idleNanos} or its
     * holder is gone. The next write opens them again.
     */
    synchronized void closeFilesIfIdle(long nowNanos, long idleNanos) {
        if (state == State.OPEN && writers == 0 && (nowNanos - lastTouchedNanos >= idleNanos || !held())) {
            closeFiles();
        }
    }

    /** Closes the upload if it is open and untouched for {@code expiryNanos}; true when it did. */
    synchronized boolean expire(long nowNanos, long expiryNanos) {
        if (state == State.OPEN && writers == 0 && nowNanos - lastTouchedNanos >= expiryNanos) {
            close();
            return true;
        }
        return false;
    }

    /** Forgets the upload; its files are closed now, or by the last write in flight. Files on disk stay. */
    synchronized void close() {
        state = State.CLOSED;
        if (writers == 0) {
            closeFiles();
        }
        notifyAll();
    }

    private void reopen() {
        state = State.OPEN;
        lastTouchedNanos = System.nanoTime();
        notifyAll();
    }

    private void awaitChange() {
        try {
            wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure(ErrorCode.SHUTTING_DOWN, "the server is shutting down");
        }
    }

    private void closeFiles() {
        try {
            if (partChannel != null) {
                partChannel.close();
            }
            if (journal != null) {
                if (state == State.CLOSED || state == State.DONE) {
                    journal.close();
                } else {
                    journal.suspend();
                }
            }
        } catch (IOException ignored) {
            // Nothing is buffered: the part file is written positionally and the journal appends directly.
        } finally {
            partChannel = null;
        }
    }
}
