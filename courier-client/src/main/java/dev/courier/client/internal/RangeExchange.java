package dev.courier.client.internal;

import dev.courier.client.CourierException;
import dev.courier.protocol.ByteRange;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What a transfer does with one connection for one range: the part of a download or an upload that
 * {@link TransferLanes} leaves to it. The lanes decide which range goes on which connection, keep a window of them
 * in flight, take them back in order, reconnect, requeue and give up; an exchange only sends the request for one
 * range and takes in its outcome. A range is one READ answered by one CHUNK, one UPLOAD_WRITE answered by one
 * UPLOAD_ACK, or one READ_STREAM answered by many CHUNKs under a credit window.
 *
 * <p>Threading: every method but {@link #send} may block (on the disk, or on a request of its own); all run on the
 * lane's own thread, several lanes at once, so an implementation is thread-safe.
 *
 * @param <O> one range in flight: what {@link #send} started, as the exchange needs it back
 */
public interface RangeExchange<O extends RangeExchange.InFlight> {
    /** One range in flight on one connection. */
    interface InFlight {
        /** The range the lanes handed out. */
        ByteRange range();

        /** Completes when the outcome of the range has arrived; fails with the request's failure. */
        CompletableFuture<?> reply();
    }

    /** Sends the request(s) for {@code range} on {@code c}; must not wait for the outcome. */
    O send(WireConnection c, ByteRange range);

    /**
     * Takes in a range whose {@link InFlight#reply()} completed normally: checks it, stores it, reports progress.
     *
     * @return true when the range is done; false when it must be sent again (it arrived damaged)
     * @throws CourierException when the transfer cannot go on (a local write failed, the data are not the file's)
     */
    boolean receive(O op);

    /**
     * A range failed with {@code failure}: handles it here, on the same connection, when that is how this exchange
     * answers such a failure (an upload sends a damaged write again, and begins anew when the server forgot the
     * upload). The range goes back in the queue either way.
     *
     * @return true when handled, and the lane goes on with {@code c}; false to leave it to the lane (a new
     *         connection when a new connection may cure it, otherwise the transfer fails)
     */
    default boolean recover(WireConnection c, O op, CourierException failure) {
        return false;
    }

    /**
     * A range that will not be received (it goes back in the queue, or the transfer ends): stop what it runs and
     * release what it holds. After it, {@link #remaining} is final.
     */
    default void abandon(O op) {
    }

    /**
     * What of {@code op}'s range must be sent again, when it failed or {@link #receive} said so: all of it for an
     * exchange that takes a range in at once; for a stream, the bytes it did not deliver and the chunks that arrived
     * damaged. Called after {@link #abandon} on a failure, after {@link #receive} otherwise.
     */
    default List<ByteRange> remaining(O op) {
        return List.of(op.range());
    }

    /** Ranges are sent only while they start below this offset (a download's hashing window); re-read each time. */
    default long sendLimitBytes() {
        return Long.MAX_VALUE;
    }

    /** The failure when nothing has moved for the stall timeout, for a person. */
    CourierException stalled(long quietMillis);
}
