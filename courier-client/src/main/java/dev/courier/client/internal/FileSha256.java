package dev.courier.client.internal;

import dev.courier.client.CourierException;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Sha256;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The SHA-256 of a local file that is being uploaded, computed on a platform thread of its own while the upload
 * sends the file, so that the hash costs no time before the first byte goes out: a 1 GiB file took about half a
 * second of one core to hash before UPLOAD_BEGIN, a seventh of the whole upload at the speed of {@code curl -T}.
 * The thread reads the file itself, in order, into a heap array (the JDK's SHA-256 intrinsic hashes arrays in place;
 * a direct buffer would go through a small copy first), independently of the writes, which read the same pages
 * from the page cache in their own order.
 *
 * <p>Thread-safe. {@link #close} stops the thread if the upload ended before the hash did.
 */
public final class FileSha256 implements AutoCloseable {
    /** Bytes read and hashed at a time: large enough that the reads cost nothing next to the hashing. */
    private static final int BUFFER_BYTES = 1 << 20;

    private final CompletableFuture<Sha256> result = new CompletableFuture<>();
    private final Thread thread;
    private volatile boolean stopped;

    private FileSha256(FileChannel in, long sizeBytes) {
        thread = Thread.ofPlatform().daemon().name("courier-upload-sha256").unstarted(() -> run(in, sizeBytes));
    }

    /** Starts hashing the first {@code sizeBytes} of {@code in}, which stays open until this is closed. */
    public static FileSha256 start(FileChannel in, long sizeBytes) {
        FileSha256 hash = new FileSha256(in, sizeBytes);
        hash.thread.start();
        return hash;
    }

    /** The SHA-256 of the first {@code sizeBytes} of {@code in}, on the caller's thread. */
    public static Sha256 of(FileChannel in, long sizeBytes) throws IOException {
        return hash(in, sizeBytes, () -> false);
    }

    /**
     * Waits for the hash.
     *
     * @throws CourierException LOCAL_IO_ERROR when the file could not be read, or shrank; CONNECTION_CLOSED when
     *                          interrupted
     */
    public Sha256 join() {
        try {
            return result.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new CourierException(ErrorCode.LOCAL_IO_ERROR, "cannot read the file to hash it: "
                    + cause.getMessage(), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CourierException(ErrorCode.CONNECTION_CLOSED, "interrupted");
        }
    }

    /** Stops the hashing if it is still going, and waits for its thread to end. */
    @Override
    public void close() {
        stopped = true;
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run(FileChannel in, long sizeBytes) {
        try {
            result.complete(hash(in, sizeBytes, () -> stopped));
        } catch (IOException | RuntimeException e) {
            result.completeExceptionally(e);
        }
    }

    /** Whether to give up: the upload ended without needing the hash. */
    private interface Stop {
        boolean now();
    }

    private static Sha256 hash(FileChannel in, long sizeBytes, Stop stop) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        ByteBuffer buf = ByteBuffer.allocate(BUFFER_BYTES);
        for (long at = 0; at < sizeBytes; ) {
            if (stop.now()) {
                throw new IOException("the upload ended before the file was hashed");
            }
            buf.clear().limit((int) Math.min(BUFFER_BYTES, sizeBytes - at));
            int n = in.read(buf, at);
            if (n < 0) {
                throw new IOException("the file shrank while being read");
            }
            at += n;
            sha.update(buf.flip());
        }
        return new Sha256(sha.digest());
    }
}
