package dev.courier.server.auth;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Slows down token guessing: each failed authentication from an address is answered later than the one before, the
 * delay doubling per recent failure from that address ({@link #BASE_DELAY_MILLIS}, twice that, ... up to
 * {@link #MAX_DELAY_MILLIS}); an address that has not failed for {@link #FORGET_AFTER_MILLIS} starts again at no
 * delay. With the per-address connection limit this caps how many guesses one address gets per second.
 *
 * <p>The table is bounded: at most {@link #MAX_ADDRESSES} addresses, the least recently failed forgotten first, so
 * failures from many addresses cost a fixed amount of memory (an attacker with more addresses than that gets
 * the first delays again; each guess is still a TCP connection and a handshake). Thread-safe: one lock, taken only
 * when a token fails.
 */
public final class FailureThrottle {
    /** The second failure in a row waits this long; each further one twice as long. */
    public static final long BASE_DELAY_MILLIS = 50;
    /** The longest wait: long enough to make guessing hopeless, short enough for a person who mistyped. */
    public static final long MAX_DELAY_MILLIS = 5_000;
    /** Failures older than this are forgotten. */
    public static final long FORGET_AFTER_MILLIS = 60_000;
    /** Addresses remembered at once (about 100 bytes each). */
    public static final int MAX_ADDRESSES = 10_000;

    private final Map<InetAddress, Failures> byAddress = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetAddress, Failures> eldest) {
            return size() > MAX_ADDRESSES;
        }
    };

    /** What one address has failed lately. */
    private static final class Failures {
        int recent;
        long lastNanos;
    }

    /** The outcome of one failure: how many in a row from that address (this one included), and the delay. */
    public record Delay(int failures, long delayMillis) {
    }

    /** Records a failure from {@code address} at {@code nowNanos} and says how long to wait before answering it. */
    public synchronized Delay failed(InetAddress address, long nowNanos) {
        Failures f = byAddress.computeIfAbsent(address, a -> new Failures());
        if (f.recent > 0 && nowNanos - f.lastNanos > TimeUnit.MILLISECONDS.toNanos(FORGET_AFTER_MILLIS)) {
            f.recent = 0;
        }
        f.recent++;
        f.lastNanos = nowNanos;
        return new Delay(f.recent, delayMillis(f.recent));
    }

    /** The delay of the {@code n}-th failure in a row: none for the first, then doubling from the base to the cap. */
    public static long delayMillis(int n) {
        if (n <= 1) {
            return 0;
        }
        return Math.min(MAX_DELAY_MILLIS, BASE_DELAY_MILLIS << Math.min(n - 2, 20));
    }

    /** Addresses remembered now. */
    public synchronized int size() {
        return byAddress.size();
    }
}
