package dev.courier.client.internal;

import dev.courier.journal.TransferJournal;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Puts verified chunks into a part file at their offsets and records them in its journal, cheaply and durably:
 * <ul>
 * <li>a chunk's buffers go straight to positional writes of the file channel (a chunk arrives in direct buffers,
 * so the kernel copies them into the page cache and nothing else copies them);</li>
 * <li>journal entries are appended in batches of up to {@link #JOURNAL_BATCH_BYTES} of data or
 * {@link #JOURNAL_BATCH_ENTRIES} entries, one write each; a chunk counts as recorded (and as progress) only
 * once its batch is written, so a process killed at any instant resumes with at least every byte it reported;</li>
 * <li>a thread of its own syncs the part file every {@link #SYNC_EVERY_BYTES} written, while the transfer goes on,
 * so the sync before the rename ({@link #stop} then the caller's force) finds little left to write back.</li>
 * </ul>
 * A crash loses at most the unsynced tail and the unwritten batch; the journal's entries are checked against the
 * part file on resume ({@link TransferJournal#verified}), so an entry whose bytes did not reach the disk is fetched
 * again, never trusted.
 *
 * <p>Thread-safe: lanes write at once. The sync thread never touches the journal, and is never interrupted (an
 * interrupt would close the file channel under the lanes).
 */
final class PartWriter implements AutoCloseable {
    /** Data written between background syncs: large enough that a sync writes back in big runs. */
    static final long SYNC_EVERY_BYTES = 64L << 20;
    /** Data recorded per journal write, at most: also how finely progress is reported. */
    static final long JOURNAL_BATCH_BYTES = 2L << 20;
    /** Entries per journal write, at most (small chunks). */
    static final int JOURNAL_BATCH_ENTRIES = 64;

    private final FileChannel out;
    private final TransferJournal journal;
    private final ReentrantLock batchLock = new ReentrantLock();
    /** Guarded by {@link #batchLock}. */
    private List<TransferJournal.Entry> batch = new ArrayList<>();
    /** Guarded by {@link #batchLock}. */
    private long batchBytes;
    private final ReentrantLock syncLock = new ReentrantLock();
    private final Condition syncWanted = syncLock.newCondition();
    /** Guarded by {@link #syncLock}. */
    private long writtenBytes;
    /** Guarded by {@link #syncLock}: what the last background sync covered. */
    private long syncedBytes;
    /** Guarded by {@link #syncLock}. */
    private boolean stopped;
    private volatile IOException syncFailure;
    private final Thread syncer;

    PartWriter(FileChannel out, TransferJournal journal) {
        this.out = out;
        this.journal = journal;
        this.syncer = Thread.ofPlatform().daemon().name("courier-part-sync").start(this::syncBehind);
    }

    /**
     * Writes {@code data} at {@code offsetBytes} and records it with its CRC32C {@code crc32c}.
     *
     * @return bytes recorded in the journal by this call (its batch's, when this chunk filled it; else 0)
     * @throws IOException the write, the journal or an earlier background sync failed
     */
    long write(long offsetBytes, ByteBuf data, int crc32c) throws IOException {
        IOException f = syncFailure;
        if (f != null) {
            throw new IOException("syncing the part file failed: " + f.getMessage(), f);
        }
        int length = data.readableBytes();
        long position = offsetBytes;
        for (ByteBuffer b : data.nioBuffers()) {
            while (b.hasRemaining()) {
                position += out.write(b, position);
            }
        }
        List<TransferJournal.Entry> full = null;
        long recorded = 0;
        batchLock.lock();
        try {
            batch.add(new TransferJournal.Entry(offsetBytes, length, crc32c));
            batchBytes += length;
            if (batchBytes >= JOURNAL_BATCH_BYTES || batch.size() >= JOURNAL_BATCH_ENTRIES) {
                full = batch;
                recorded = batchBytes;
                batch = new ArrayList<>();
                batchBytes = 0;
            }
        } finally {
            batchLock.unlock();
        }
        if (full != null) {
            journal.append(full);
        }
        wrote(length);
        return recorded;
    }

    private void wrote(long length) {
        syncLock.lock();
        try {
            writtenBytes += length;
            if (writtenBytes - syncedBytes >= SYNC_EVERY_BYTES) {
                syncWanted.signal();
            }
        } finally {
            syncLock.unlock();
        }
    }

    /**
     * Writes the journal entries of the batch not yet full.
     *
     * @return bytes recorded by this call
     */
    long flush() throws IOException {
        List<TransferJournal.Entry> rest;
        long recorded;
        batchLock.lock();
        try {
            rest = batch;
            recorded = batchBytes;
            batch = new ArrayList<>();
            batchBytes = 0;
        } finally {
            batchLock.unlock();
        }
        journal.append(rest);
        return recorded;
    }

    private void syncBehind() {
        while (true) {
            long target;
            syncLock.lock();
            try {
                while (!stopped && writtenBytes - syncedBytes < SYNC_EVERY_BYTES) {
                    syncWanted.awaitUninterruptibly();
                }
                if (stopped) {
                    return;
                }
                target = writtenBytes;
            } finally {
                syncLock.unlock();
            }
            try {
                out.force(false);
            } catch (IOException e) {
                syncFailure = e;
                return;
            }
            syncLock.lock();
            try {
                syncedBytes = target;
            } finally {
                syncLock.unlock();
            }
        }
    }

    /** Stops the background syncs, waiting for one under way; writes may not follow. */
    void stop() {
        syncLock.lock();
        try {
            stopped = true;
            syncWanted.signal();
        } finally {
            syncLock.unlock();
        }
        boolean interrupted = false;
        while (true) {
            try {
                syncer.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the sync under way must end before the channel closes
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the background syncs and records what the last batch holds, for a resume. */
    @Override
    public void close() throws IOException {
        stop();
        flush();
    }
}
