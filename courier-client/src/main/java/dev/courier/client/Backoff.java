package dev.courier.client;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter: the n-th retry waits a random time in {@code [0, min(max, base * 2^n)]},
 * so clients that lost the same server do not come back in lockstep. Used between the attempts of
 * {@link ResilientConnection}'s requests and between a transfer's reconnects. Immutable.
 *
 * @param baseMillis first ceiling
 * @param maxMillis  the ceiling never grows past this
 */
public record Backoff(long baseMillis, long maxMillis) {
    public static final Backoff DEFAULT = new Backoff(50, 2_000);

    public Backoff {
        if (baseMillis < 1 || maxMillis < baseMillis) {
            throw new IllegalArgumentException("need 1 <= base <= max: " + baseMillis + ", " + maxMillis);
        }
    }

    /** How long to wait before retry number {@code attempt} (0 for the first retry). */
    public long delayMillis(int attempt) {
        long ceiling = Math.min(maxMillis, baseMillis << Math.min(attempt, 20));
        return ThreadLocalRandom.current().nextLong(ceiling + 1);
    }
}
