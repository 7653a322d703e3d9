package dev.courier.client.internal;

import dev.courier.protocol.Sha256;
import dev.courier.journal.RangeSet;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The SHA-256 of a file that arrives in chunks out of order, computed as the bytes arrive so the finished file need
 * not be read back, on a thread of its own so the hashing overlaps the transfer instead of holding up the lane that
 * delivered a chunk. Chunks are held (retained) until the hashing point reaches them; ranges that were already on
 * disk from an interrupted attempt are read back from the part file when it does.
 *
 * <p>Bounds: the caller keeps the held bytes bounded by not fetching past {@link #hashedBytes()} plus a window, and
 * is told through {@code advanced} each time the hashing point moves, so a lane waiting for room goes on at once.
 * A failure of the hashing thread (the part file cannot be read back) is thrown by the next {@link #offer} and by
 * {@link #finish}; {@link #close} stops the thread and releases every held chunk.
 *
 * <p>Why a heap array: the JDK's SHA-256 intrinsics hash a heap array directly but a direct buffer only through an
 * internal 4 KiB copy loop, so the hashing thread copies each chunk once into a 256 KiB scratch array
 * ({@link Sha256#update}); that copy, on this thread, is the only one between the socket and the digest.
 *
 * <p>Thread-safe: lanes offer chunks at once; one thread of its own hashes.
 */
final class InOrderDigest implements AutoCloseable {
    private static final int READ_BACK_BYTES = 1 << 20;

    private final MessageDigest sha;
    private final long sizeBytes;
    private final RangeSet onDisk;
    private final FileChannel part;
    private final Runnable advanced;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Guarded by {@link #lock}. */
    private final TreeMap<Long, ByteBuf> ahead = new TreeMap<>();
    private final byte[] scratch = new byte[256 << 10];
    private final Thread hasher;
    /** Everything before this offset is hashed; written by the hashing thread only. */
    private volatile long next;
    /** Guarded by {@link #lock}: the hashing thread waits for a chunk at {@link #next}. */
    private boolean idle;
    /** Guarded by {@link #lock}. */
    private boolean closed;
    private volatile RuntimeException failure;

    /**
     * Starts hashing, from the first byte.
     *
     * @param onDisk   ranges already in the part file, hashed by reading them back
     * @param part     where {@code onDisk} ranges can be read back; null when nothing is on disk
     * @param advanced told, on the hashing thread, each time the hashing point moves; must not block
     */
    InOrderDigest(long sizeBytes, RangeSet onDisk, FileChannel part, Runnable advanced) {
        try {
            this.sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        this.sizeBytes = sizeBytes;
        this.onDisk = onDisk;
        this.part = part;
        this.advanced = advanced;
        this.hasher = Thread.ofPlatform().daemon().name("courier-sha256").start(this::run);
    }

    /** Bytes hashed so far: everything before this offset. */
    long hashedBytes() {
        return next;
    }

    /**
     * Takes the bytes of a verified chunk, retained until they are hashed; the caller keeps its own reference.
     *
     * @throws RuntimeException the hashing thread's failure, if it failed
     */
    void offer(long offsetBytes, ByteBuf data) {
        throwIfFailed();
        lock.lock();
        try {
            if (closed || offsetBytes < next || ahead.containsKey(offsetBytes)) {
                return; // hashed already, or a chunk fetched twice
            }
            ahead.put(offsetBytes, data.retainedDuplicate());
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        try {
            while (next < sizeBytes) {
                ByteBuf chunk;
                long diskEnd = -1;
                lock.lock();
                try {
                    while (true) {
                        if (closed) {
                            return;
                        }
                        Map.Entry<Long, ByteBuf> first = ahead.firstEntry();
                        if (first != null && first.getKey() == next) {
                            chunk = ahead.pollFirstEntry().getValue();
                            break;
                        }
                        diskEnd = onDisk.endOfRangeAt(next);
                        if (diskEnd >= 0) {
                            chunk = null;
                            break;
                        }
                        idle = true;
                        changed.signalAll(); // finish() may be waiting to see that nothing more can be hashed
                        changed.awaitUninterruptibly();
                        idle = false;
                    }
                } finally {
                    lock.unlock();
                }
                // Hashed outside the lock: lanes offer their chunks meanwhile.
                if (chunk != null) {
                    try {
                        update(chunk);
                    } finally {
                        chunk.release();
                    }
                } else {
                    readBack(next, diskEnd);
                }
                advanced.run();
            }
        } catch (IOException e) {
            failure = new UncheckedIOException(e);
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            lock.lock();
            try {
                idle = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            advanced.run(); // a lane waiting for room finds the failure, or the end
        }
    }

    private void update(ByteBuf data) {
        int n = data.readableBytes();
        for (ByteBuffer b : data.nioBuffers()) {
            Sha256.update(sha, b, scratch);
        }
        next += n;
    }

    private void readBack(long from, long to) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect((int) Math.min(READ_BACK_BYTES, to - from));
        long at = from;
        while (at < to) {
            buf.clear().limit((int) Math.min(buf.capacity(), to - at));
            while (buf.hasRemaining()) {
                int n = part.read(buf, at + buf.position());
                if (n < 0) {
                    throw new IOException("the part file ends at " + (at + buf.position()) + ", before " + to);
                }
            }
            buf.flip();
            at += buf.remaining();
            Sha256.update(sha, buf, scratch);
            next = at;
        }
    }

    /**
     * Waits until every byte offered so far has been hashed, and returns the digest if that was all of them.
     * Call once every chunk has been offered.
     *
     * @return the digest, or null if some bytes are still missing
     * @throws IOException the part file could not be read back
     */
    Sha256 finish() throws IOException {
        lock.lock();
        try {
            while (next < sizeBytes && failure == null && !(idle && noneHashable())) {
                changed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
        try {
            throwIfFailed();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        if (next < sizeBytes) {
            return null;
        }
        try {
            hasher.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the digest finished", e);
        }
        return new Sha256(sha.digest());
    }

    /** Under {@link #lock}: nothing held or on disk can be hashed next. */
    private boolean noneHashable() {
        Map.Entry<Long, ByteBuf> first = ahead.firstEntry();
        return (first == null || first.getKey() != next) && onDisk.endOfRangeAt(next) < 0;
    }

    private void throwIfFailed() {
        RuntimeException f = failure;
        if (f != null) {
            throw f;
        }
    }

    /** Stops the hashing thread and releases every held chunk (the download ended, well or early). */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            ahead.values().forEach(ByteBuf::release);
            ahead.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            hasher.join(); // it releases the chunk it is hashing, if any, before it sees the flag
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
