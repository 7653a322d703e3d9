package dev.courier.client.internal;

import java.util.concurrent.TimeUnit;

/**
 * A token bucket for frames the client did not ask for (PINGs, PONGs and ERRORs about the whole connection): each
 * costs a token, tokens come back at a steady rate up to a burst, and a peer that spends them faster than that is
 * flooding. Confined to one event loop; not thread-safe.
 */
final class FrameBudget {
    private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

    private final long burstFrames;
    private final long framesPerSecond;
    private long tokens;
    private long refilledAtNanos;

    /**
     * @param burstFrames     frames allowed at once, and the most tokens the bucket holds
     * @param framesPerSecond tokens that come back per second
     */
    FrameBudget(long burstFrames, long framesPerSecond, long nowNanos) {
        if (burstFrames < 1 || framesPerSecond < 1) {
            throw new IllegalArgumentException("budget must be positive: " + burstFrames + ", " + framesPerSecond);
        }
        this.burstFrames = burstFrames;
        this.framesPerSecond = framesPerSecond;
        this.tokens = burstFrames;
        this.refilledAtNanos = nowNanos;
    }

    /** Spends one token; false when none is left. */
    boolean take(long nowNanos) {
        long elapsed = nowNanos - refilledAtNanos;
        if (elapsed >= burstFrames * NANOS_PER_SECOND / framesPerSecond) {
            tokens = burstFrames; // also keeps the product below from overflowing after a long quiet
            refilledAtNanos = nowNanos;
        } else {
            long earned = elapsed * framesPerSecond / NANOS_PER_SECOND;
            if (earned > 0) {
                tokens = Math.min(burstFrames, tokens + earned);
                refilledAtNanos += earned * NANOS_PER_SECOND / framesPerSecond;
            }
        }
        if (tokens == 0) {
            return false;
        }
        tokens--;
        return true;
    }
}
