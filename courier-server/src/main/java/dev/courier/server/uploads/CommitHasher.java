package dev.courier.server.uploads;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Failure;
import dev.courier.protocol.Sha256;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

/**
 * Hashes part files at COMMIT on a small pool of platform threads of its own. Hashing is pure CPU (about 1.7 GB/s
 * a core): on the virtual-thread executor a 1 GiB commit would hold one of its few carrier threads for most of a
 * second and every file request would queue behind it. Here at most {@code threads} commits hash at once and the
 * committing virtual thread just waits.
 *
 * <p>Most of a file is usually hashed already, by the writes that arrived in order ({@link InOrderHash}); only the
 * rest is read here. A small rest (up to {@link #INLINE_BYTES}, a few milliseconds of hashing) is hashed on the
 * caller's thread instead, so that it never waits behind a big one.
 *
 * <p>The file is read, not memory-mapped, so a part file truncated from outside is an IO_ERROR, not a SIGBUS.
 * Thread-safe.
 */
final class CommitHasher implements AutoCloseable {
    private static final int BUFFER_BYTES = 1 << 20;
    /** Files up to this size are hashed on the caller's thread: about 2.5 ms of one core. */
    static final long INLINE_BYTES = 4 << 20;

    private final ExecutorService pool;

    CommitHasher(int threads) {
        pool = Executors.newFixedThreadPool(threads,
                Thread.ofPlatform().daemon().name("courier-upload-hash-", 0).factory());
    }

    /** Half the cores, at least one: commits never take all of them from everything else. */
    static int defaultThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }

    /**
     * The SHA-256 of the first {@code sizeBytes} of {@code part}, going on from {@code prefix} (the hash of its first
     * {@code prefix.hashedBytes()}, which only the bytes after are read for); blocks until it is computed.
     */
    Sha256 sha256(FileChannel part, long sizeBytes, InOrderHash.Prefix prefix) throws IOException {
        if (sizeBytes - prefix.hashedBytes() <= INLINE_BYTES) {
            try {
                return hash(part, sizeBytes, prefix);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
        Future<Sha256> f;
        try {
            f = pool.submit(() -> hash(part, sizeBytes, prefix));
        } catch (RejectedExecutionException e) {
            throw new Failure(ErrorCode.SHUTTING_DOWN, "the server is shutting down; commit again later");
        }
        try {
            return f.get();
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while hashing");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            throw new IllegalStateException("hashing failed", e.getCause());
        }
    }

    private static Sha256 hash(FileChannel part, long sizeBytes, InOrderHash.Prefix prefix) {
        MessageDigest sha = prefix.sha();
        ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES); // a heap array: the SHA intrinsics hash it in place
        try {
            for (long at = prefix.hashedBytes(); at < sizeBytes; ) {
                buffer.clear().limit((int) Math.min(BUFFER_BYTES, sizeBytes - at));
                int n = part.read(buffer, at);
                if (n < 0) {
                    throw new IOException("the part file ended at " + at + " of " + sizeBytes + " bytes");
                }
                at += n;
                sha.update(buffer.flip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Sha256(sha.digest());
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
