package dev.courier.client.internal;

import dev.courier.client.CourierException;
import dev.courier.protocol.ErrorCode;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The connection an operation's requests go on, opened when first needed and opened anew once it is lost: one
 * attempt of a {@link Retry} is one request on the connection there is now. A request that fails with a failure a
 * new connection may cure ({@link Retry#curable}) drops the connection (and closes it), so the next attempt opens a
 * fresh one; any other failure leaves it in place. Every reply still comes from the request that asked for it: a
 * retry is a new request on a new connection, never a re-read of another one's reply.
 *
 * <p>Thread-safe: concurrent requests share the connection, and only one new connection is opened for them.
 */
public final class ConnectionSlot implements AutoCloseable {
    private final Dialer dialer;
    private final AtomicReference<CompletableFuture<WireConnection>> current = new AtomicReference<>();
    private volatile boolean closed;

    public ConnectionSlot(Dialer dialer) {
        this.dialer = dialer;
    }

    /**
     * One attempt of {@code request}: on the current connection, or on a new one when there is none.
     *
     * @throws CourierException CONNECTION_CLOSED once this slot is closed: thrown, not a failed future, so that a
     *                          {@link Retry} stops at once instead of trying again
     */
    public <T> CompletableFuture<T> call(Function<WireConnection, CompletableFuture<T>> request) {
        if (closed) {
            throw new CourierException(ErrorCode.CONNECTION_CLOSED, "closed");
        }
        CompletableFuture<WireConnection> connection = connection();
        return connection.thenCompose(request).whenComplete((value, err) -> {
            if (err != null && Retry.curable(err)) {
                discard(connection);
            }
        });
    }

    /**
     * Opens this slot's first connection and waits for it. A server that refuses it (nothing listens there, no such
     * host) fails the transfer at once with that CONNECTION_FAILED, as curl does, instead of being retried until the
     * stall timeout: retries are for what goes wrong once a transfer has started. Any other failure of this first
     * attempt (a handshake timeout, a full server) is left to the caller's retries.
     *
     * @throws CourierException CONNECTION_FAILED when the first connection cannot be made
     */
    public void connectFirst() {
        try {
            connection().join();
        } catch (CompletionException | CancellationException e) {
            RuntimeException cause = CourierException.unwrap(e);
            if (cause instanceof CourierException c && c.code() == ErrorCode.CONNECTION_FAILED) {
                throw c;
            }
        }
    }

    /** The connection that is open now, if any; it stays this slot's to close. */
    public WireConnection openNow() {
        CompletableFuture<WireConnection> c = current.get();
        return c != null && c.isDone() && !c.isCompletedExceptionally() && c.join().isOpen() ? c.join() : null;
    }

    private CompletableFuture<WireConnection> connection() {
        while (true) {
            CompletableFuture<WireConnection> c = current.get();
            if (c != null && !(c.isDone() && (c.isCompletedExceptionally() || !c.join().isOpen()))) {
                return c;
            }
            CompletableFuture<WireConnection> fresh = new CompletableFuture<>();
            if (current.compareAndSet(c, fresh)) {
                dialer.connect().whenComplete((conn, err) -> {
                    if (err != null) {
                        fresh.completeExceptionally(err);
                    } else if (closed) {
                        conn.closeAsync(); // the slot closed while this connection was being opened
                        fresh.completeExceptionally(new CourierException(ErrorCode.CONNECTION_CLOSED, "closed"));
                    } else {
                        fresh.complete(conn);
                    }
                });
                return fresh;
            }
        }
    }

    /** Forgets a connection that failed so the next attempt opens a new one. */
    private void discard(CompletableFuture<WireConnection> failed) {
        if (current.compareAndSet(failed, null) && failed.isDone() && !failed.isCompletedExceptionally()) {
            dialer.lost(failed.join());
            failed.join().closeAsync();
        }
    }

    /** Closes the connection, now or once it is open; later requests fail with CONNECTION_CLOSED. */
    @Override
    public void close() {
        closed = true;
        CompletableFuture<WireConnection> c = current.getAndSet(null);
        if (c == null) {
            return;
        }
        if (c.isDone()) {
            c.thenAccept(WireConnection::close);
        } else {
            c.thenAccept(WireConnection::closeAsync); // on the event loop that opens it: must not wait there
        }
    }
}
