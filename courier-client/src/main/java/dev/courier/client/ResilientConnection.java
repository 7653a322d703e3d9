package dev.courier.client;

import dev.courier.client.internal.ConnectionSlot;
import dev.courier.client.internal.Deadline;
import dev.courier.client.internal.Retry;
import dev.courier.client.internal.WireConnection;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A connection that outlives its sockets: idempotent requests (points, stat, digest) that fail because the
 * connection broke, the server restarted or went silent are retried on a fresh connection after an exponential
 * backoff with jitter, until the operation's deadline. Every reply still comes from the request that asked for it:
 * a retry is a new request on a new connection, never a re-read of another one's reply.
 *
 * <p>An operation fails with TIMED_OUT when the next wait would end after its deadline (the message names the
 * attempts and the last error), or when the deadline passes while an attempt is in flight; a failure no new
 * connection cures (NOT_FOUND, UNKNOWN_RECORD, ...) is the answer at once.
 *
 * <p>Thread-safe. Futures complete on an event loop: chain cheap work only.
 */
public final class ResilientConnection implements AutoCloseable {
    private final ConnectionSlot slot;
    private final Retry retry;
    private final long deadlineMillis;

    /**
     * @param deadlineMillis how long one operation may take, retries included, before it fails with TIMED_OUT
     *                       (or its last error, when that error is not one a retry can cure)
     * @param backoff        the waits between attempts
     */
    public ResilientConnection(CourierClient client, long deadlineMillis, Backoff backoff) {
        this.slot = new ConnectionSlot(client.dialer());
        this.retry = new Retry(client.dialer().scheduler(), backoff);
        this.deadlineMillis = deadlineMillis;
    }

    /** {@link Connection#point} with retries. */
    public CompletableFuture<Point> point(String record, double timeSeconds, int channel) {
        return retried(c -> c.point(record, timeSeconds, channel));
    }

    /** {@link Connection#stat} with retries. */
    public CompletableFuture<FileStat> stat(String name) {
        return retried(c -> c.stat(name));
    }

    /** {@link Connection#digest(String)} with retries. */
    public CompletableFuture<FileDigest> digest(String name) {
        return retried(c -> c.digest(name, false));
    }

    /** {@link Connection#digest(String, boolean)} with retries. */
    public CompletableFuture<FileDigest> digest(String name, boolean recompute) {
        return retried(c -> c.digest(name, recompute));
    }

    /** Runs an idempotent request of the caller's with retries, each attempt on the connection there is then. */
    public <T> CompletableFuture<T> call(Function<Connection, CompletableFuture<T>> request) {
        return retried(c -> request.apply(new Connection(c)));
    }

    private <T> CompletableFuture<T> retried(Function<WireConnection, CompletableFuture<T>> request) {
        return retry.run(attempt -> slot.call(request), Deadline.in(deadlineMillis));
    }

    @Override
    public void close() {
        slot.close();
    }
}
