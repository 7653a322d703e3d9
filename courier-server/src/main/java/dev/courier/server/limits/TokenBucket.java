package dev.courier.server.limits;

import java.util.concurrent.TimeUnit;

/**
 * One client's request budget: a bucket of {@code burst} tokens refilled at {@code ratePerSecond}; a request takes
 * its cost in tokens or, when there are not enough, is refused with the time until there will be. Refusals take
 * nothing, so a client that waits as told gets through. Shared by every connection of one token or address, which
 * {@link RateLimiter} counts. Thread-safe: one small lock per bucket, taken once per request.
 */
public final class TokenBucket {
    private final double ratePerNano;
    private final double burst;
    private double tokens;
    private long lastNanos;
    /** Connections using this bucket; guarded by {@link RateLimiter}. */
    int users;

    TokenBucket(int ratePerSecond, int burst, long nowNanos) {
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.lastNanos = nowNanos;
    }

    /**
     * Takes {@code cost} tokens (at most the burst: a request no bigger than the bucket can always pass) if there
     * are that many.
     *
     * @return 0 when taken; otherwise the nanoseconds until the bucket holds {@code cost}, at least 1
     */
    public synchronized long take(int cost, long nowNanos) {
        refill(nowNanos);
        double need = Math.min(cost, burst);
        if (tokens >= need) {
            tokens -= need;
            return 0;
        }
        return Math.max(1, (long) Math.ceil((need - tokens) / ratePerNano));
    }

    /** True when the bucket is full again at {@code nowNanos}: forgetting it then loses nothing. */
    synchronized boolean full(long nowNanos) {
        refill(nowNanos);
        return tokens >= burst;
    }

    private void refill(long nowNanos) {
        long elapsed = nowNanos - lastNanos;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * ratePerNano);
            lastNanos = nowNanos;
        }
    }

    /** {@code nanos} to wait as whole milliseconds, rounded up so the client never comes back too early. */
    public static long toRetryMillis(long nanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos + 999_999));
    }
}
