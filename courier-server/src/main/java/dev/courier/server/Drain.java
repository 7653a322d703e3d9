package dev.courier.server;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts requests in flight across the server so a graceful shutdown can wait for them: once draining, new
 * requests are refused and {@link #idle()} completes when the last one in flight ends. Thread-safe.
 */
final class Drain {
    private final AtomicInteger inFlight = new AtomicInteger();
    /** The most requests one connection has had in flight at once since start: what its cap is checked by. */
    private final AtomicInteger peakPerConnection = new AtomicInteger();
    private final CompletableFuture<Void> idle = new CompletableFuture<>();
    private volatile boolean draining;

    boolean draining() {
        return draining;
    }

    void begin() {
        inFlight.incrementAndGet();
    }

    /** A connection now has {@code n} requests in flight. */
    void connectionInFlight(int n) {
        if (n > peakPerConnection.get()) {
            peakPerConnection.accumulateAndGet(n, Math::max);
        }
    }

    /** The most requests one connection has had in flight at once so far. */
    int peakPerConnection() {
        return peakPerConnection.get();
    }

    void end() {
        if (inFlight.decrementAndGet() == 0 && draining) {
            idle.complete(null);
        }
    }

    /** Starts draining; the future completes when nothing is in flight. */
    CompletableFuture<Void> start() {
        draining = true;
        if (inFlight.get() == 0) {
            idle.complete(null);
        }
        return idle;
    }

    CompletableFuture<Void> idle() {
        return idle;
    }
}
