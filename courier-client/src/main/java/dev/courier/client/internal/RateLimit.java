package dev.courier.client.internal;

import dev.courier.client.CourierException;
import dev.courier.protocol.ErrorCode;
import java.util.concurrent.TimeUnit;

/**
 * A token bucket over bytes, shared by a download's lanes and stream consumers: {@link #acquire} takes a chunk's
 * bytes and waits until the rate allows them. Waiting before a chunk is stored delays what the chunk lets happen
 * next (a stream's credit given back, the lane's next READ), so the server sends no faster than the rate; the client
 * never drops or refuses bytes to keep it.
 *
 * <p>It reserves time rather than counting tokens: each acquire moves the next free instant on by
 * {@code bytes / rate} and sleeps until its own share begins. After a quiet spell at most {@link #BURST_NANOS} of
 * unused rate is credited, so a pause is not followed by a flood.
 *
 * <p>Thread-safe. Waits happen on the caller's thread, which is never an event loop (lanes and stream consumers).
 */
final class RateLimit {
    /** No limit: acquire returns at once. */
    static final RateLimit NONE = new RateLimit(0);
    /** Unused rate credited after a quiet spell, in nanoseconds of the rate. */
    static final long BURST_NANOS = 50_000_000L;

    private final long bytesPerSecond;
    /** Guarded by this. */
    private long nextFreeNanos = System.nanoTime();

    /** @param bytesPerSecond the rate; 0 for no limit */
    RateLimit(long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("rate must be positive, or 0 for none: " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
    }

    static RateLimit of(long bytesPerSecond) {
        return bytesPerSecond == 0 ? NONE : new RateLimit(bytesPerSecond);
    }

    /**
     * Takes {@code bytes} from the bucket, waiting until the rate allows them.
     *
     * @throws CourierException CONNECTION_CLOSED when the thread is interrupted while it waits (the download is
     *                          being stopped)
     */
    void acquire(long bytes) {
        if (bytesPerSecond == 0) {
            return;
        }
        long waitNanos;
        synchronized (this) {
            long now = System.nanoTime();
            long start = Math.max(nextFreeNanos, now - BURST_NANOS);
            nextFreeNanos = start + (long) (bytes * 1e9 / bytesPerSecond);
            waitNanos = nextFreeNanos - now;
        }
        if (waitNanos > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(waitNanos);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CourierException(ErrorCode.CONNECTION_CLOSED, "interrupted while keeping the rate limit");
            }
        }
    }
}
