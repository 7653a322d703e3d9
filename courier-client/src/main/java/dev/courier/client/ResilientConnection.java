package dev.courier.client;

import dev.courier.protocol.ErrorCode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * A connection that outlives its sockets: idempotent requests (points, stat, digest) that fail because the
 * connection broke, the server restarted or went silent are retried on a fresh connection after an exponential
 * backoff with jitter, until the operation's deadline. Every reply still comes from the request that asked for it:
 * a retry is a new request on a new connection, never a re-read of another one's reply.
 *
 * <p>Thread-safe. Futures complete on an event loop: chain cheap work only.
 */
public final class ResilientConnection implements AutoCloseable {
    private final CourierClient client;
    private final long deadlineNanos;
    private final Backoff backoff;
    private final AtomicReference<CompletableFuture<Connection>> current = new AtomicReference<>();
    private volatile boolean closed;

    /**
     * @param deadlineMillis how long one operation may take, retries included, before it fails with TIMED_OUT
     *                       (or its last error, when that error is not one a retry can cure)
     */
    public ResilientConnection(CourierClient client, long deadlineMillis, Backoff backoff) {
        this.client = client;
        this.deadlineNanos = TimeUnit.MILLISECONDS.toNanos(deadlineMillis);
        this.backoff = backoff;
    }

    public CompletableFuture<Point> point(String record, double timeSeconds, int channel) {
        return call(c -> c.point(record, timeSeconds, channel));
    }

    public CompletableFuture<FileStat> stat(String name) {
        return call(c -> c.stat(name));
    }

    public CompletableFuture<FileDigest> digest(String name) {
        return call(c -> c.digest(name));
    }

    /** {@link Connection#digest(String, boolean)} with retries. */
    public CompletableFuture<FileDigest> digest(String name, boolean recompute) {
        return call(c -> c.digest(name, recompute));
    }

    /**
     * Runs an idempotent request with retries. The deadline holds even while an attempt is in flight: a server
     * that accepts the request and never answers fails it with TIMED_OUT at the deadline, not at the (possibly
     * longer) request timeout.
     */
    public <T> CompletableFuture<T> call(Function<Connection, CompletableFuture<T>> request) {
        CompletableFuture<T> result = new CompletableFuture<>();
        var timer = client.dialer().scheduler().schedule(() -> result.completeExceptionally(new CourierException(
                ErrorCode.TIMED_OUT, "no answer within " + TimeUnit.NANOSECONDS.toMillis(deadlineNanos) + " ms")),
                deadlineNanos, TimeUnit.NANOSECONDS);
        result.whenComplete((value, err) -> timer.cancel(false));
        attempt(request, result, System.nanoTime() + deadlineNanos, 0, null);
        return result;
    }

    private <T> void attempt(Function<Connection, CompletableFuture<T>> request, CompletableFuture<T> result,
                             long deadline, int attempt, CourierException last) {
        if (result.isDone()) {
            return; // the deadline passed while waiting for this attempt
        }
        if (closed) {
            result.completeExceptionally(new CourierException(ErrorCode.CONNECTION_CLOSED, "closed"));
            return;
        }
        CompletableFuture<Connection> conn = connection();
        conn.thenCompose(request).whenComplete((value, err) -> {
            if (err == null) {
                result.complete(value);
                return;
            }
            RuntimeException e = CourierException.unwrap(err);
            if (!(e instanceof CourierException ce) || !Backoff.retryable(ce)) {
                result.completeExceptionally(e);
                return;
            }
            discard(conn);
            long delayNanos = TimeUnit.MILLISECONDS.toNanos(backoff.delayMillis(attempt));
            if (System.nanoTime() + delayNanos - deadline > 0) {
                result.completeExceptionally(new CourierException(ErrorCode.TIMED_OUT, "gave up after "
                        + (attempt + 1) + " attempts within " + TimeUnit.NANOSECONDS.toMillis(deadlineNanos)
                        + " ms; last error: " + ce.code() + ": " + ce.getMessage(), ce));
                return;
            }
            client.dialer().scheduler().schedule(() -> attempt(request, result, deadline, attempt + 1, ce), delayNanos,
                    TimeUnit.NANOSECONDS);
        });
    }

    private CompletableFuture<Connection> connection() {
        while (true) {
            CompletableFuture<Connection> c = current.get();
            if (c != null && !(c.isDone() && (c.isCompletedExceptionally() || !c.join().isOpen()))) {
                return c;
            }
            CompletableFuture<Connection> fresh = new CompletableFuture<>();
            if (current.compareAndSet(c, fresh)) {
                client.connect().whenComplete((conn, err) -> {
                    if (err != null) {
                        fresh.completeExceptionally(err);
                    } else {
                        fresh.complete(conn);
                    }
                });
                return fresh;
            }
        }
    }

    /** Forgets a connection that failed so the next attempt opens a new one. */
    private void discard(CompletableFuture<Connection> failed) {
        if (current.compareAndSet(failed, null) && failed.isDone() && !failed.isCompletedExceptionally()) {
            failed.join().closeAsync();
        }
    }

    @Override
    public void close() {
        closed = true;
        CompletableFuture<Connection> c = current.getAndSet(null);
        if (c != null) {
            c.thenAccept(Connection::close);
        }
    }
}
