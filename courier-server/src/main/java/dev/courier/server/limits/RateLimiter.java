package dev.courier.server.limits;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The token buckets of a server's clients, one per key ({@code token:NAME} for connections that authenticated,
 * {@code address:IP} for the others), shared by all connections of that key: more connections do not buy a client
 * more requests. A connection takes its bucket at the handshake and gives it back when it closes; a bucket no
 * connection uses is kept until it has filled up again (so reconnecting does not refill it), then forgotten. The
 * table is bounded by the connections open plus the recently closed, and swept when it grows past
 * {@link #SWEEP_ABOVE}. Thread-safe: a lock held at connect and close only; requests touch their bucket alone.
 */
public final class RateLimiter {
    /** Unused buckets are looked at once the table holds this many. */
    static final int SWEEP_ABOVE = 1024;

    private final int ratePerSecond;
    private final int burst;
    private final Map<String, TokenBucket> buckets = new HashMap<>();
    private int sweepAt = SWEEP_ABOVE;

    public RateLimiter(int ratePerSecond, int burst) {
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
    }

    /** The bucket of {@code key}, made if there is none; give it back with {@link #release}. */
    public synchronized TokenBucket acquire(String key, long nowNanos) {
        if (buckets.size() >= sweepAt) {
            sweep(nowNanos);
            sweepAt = Math.max(SWEEP_ABOVE, buckets.size() * 2);
        }
        TokenBucket b = buckets.computeIfAbsent(key, k -> new TokenBucket(ratePerSecond, burst, nowNanos));
        b.users++;
        return b;
    }

    /** A connection that used {@code bucket} has closed. */
    public synchronized void release(TokenBucket bucket) {
        bucket.users--;
    }

    private void sweep(long nowNanos) {
        for (Iterator<TokenBucket> it = buckets.values().iterator(); it.hasNext(); ) {
            TokenBucket b = it.next();
            if (b.users == 0 && b.full(nowNanos)) {
                it.remove();
            }
        }
    }

    /** Buckets remembered now. */
    public synchronized int size() {
        return buckets.size();
    }
}
