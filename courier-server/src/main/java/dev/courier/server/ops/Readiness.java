package dev.courier.server.ops;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Whether the server should be sent traffic, as {@code GET /ready} reports it to load balancers and orchestrators:
 * {@link State#STARTING} while the recordings load and the ports bind, {@link State#READY} once they have, and
 * {@link State#DRAINING} from the moment a shutdown starts (SIGTERM or {@code CourierServer.close()}) to the end. It
 * only moves forward. Thread-safe: written by the thread that starts or stops the server, read on the operations
 * port's event loop.
 */
public final class Readiness {
    /** The server's phase, in the order it goes through them. */
    public enum State {
        STARTING,
        READY,
        DRAINING
    }

    private volatile State state = State.STARTING;
    private final CompletableFuture<Void> drainingStarted = new CompletableFuture<>();

    public State state() {
        return state;
    }

    /** The data is loaded and the ports are bound; ignored once draining (a shutdown raced the start). */
    public synchronized void ready() {
        if (state == State.STARTING) {
            state = State.READY;
        }
    }

    /** A shutdown has started: from now on the server reports not ready, whatever comes. */
    public void draining() {
        synchronized (this) {
            state = State.DRAINING;
        }
        drainingStarted.complete(null);
    }

    /**
     * Completes, on the thread that starts the shutdown, once the state is {@link State#DRAINING}: what reports of
     * "not ready" wait for.
     */
    public CompletionStage<Void> drainingStarted() {
        return drainingStarted;
    }
}
