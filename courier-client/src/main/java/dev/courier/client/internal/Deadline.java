package dev.courier.client.internal;

import dev.courier.client.CourierException;
import dev.courier.protocol.ErrorCode;
import java.util.concurrent.TimeUnit;

/**
 * When an operation that {@link Retry} repeats gives up, and with what failure. A deadline may be fixed (a request's
 * time budget, {@link #in}) or move on while the operation makes progress (a transfer's stall timeout, which
 * restarts with every range that arrives). Implementations are thread-safe.
 */
public interface Deadline {
    /** Nanoseconds left at {@code nowNanos} (a {@link System#nanoTime()}); 0 or less once the deadline has passed. */
    long nanosLeft(long nowNanos);

    /**
     * The failure to give up with.
     *
     * @param attempts how many attempts were started
     * @param last     the failure of the last attempt when giving up between attempts; null when the deadline passed
     *                 while an attempt was still in flight
     */
    RuntimeException expired(int attempts, CourierException last);

    /** A deadline {@code millis} from now; giving up is TIMED_OUT, naming the last error when there was one. */
    static Deadline in(long millis) {
        return new Fixed(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis), millis);
    }

    /** A deadline at a fixed instant, {@code millis} after the operation began. */
    record Fixed(long atNanos, long millis) implements Deadline {
        @Override
        public long nanosLeft(long nowNanos) {
            return atNanos - nowNanos;
        }

        @Override
        public RuntimeException expired(int attempts, CourierException last) {
            if (last == null) {
                return new CourierException(ErrorCode.TIMED_OUT, "no answer within " + millis + " ms");
            }
            return new CourierException(ErrorCode.TIMED_OUT, "gave up after " + attempts + " attempts within "
                    + millis + " ms; last error: " + last.code() + ": " + last.getMessage(), last);
        }
    }
}
