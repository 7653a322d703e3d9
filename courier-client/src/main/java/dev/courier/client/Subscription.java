package dev.courier.client;

import java.util.concurrent.CompletableFuture;

/**
 * A live subscription whose rows are pushed to a consumer ({@link Connection#subscribe(String, long, int[],
 * java.util.function.Consumer)}). Thread-safe.
 */
public final class Subscription implements AutoCloseable {
    private final PushedBlocks blocks;

    Subscription(PushedBlocks blocks) {
        this.blocks = blocks;
    }

    /**
     * Completes with the rows delivered once the subscription has ended after {@link #close()}; fails with why it
     * ended otherwise (SLOW_CONSUMER, UNKNOWN_RECORD, NOT_LIVE, BAD_RANGE, the connection's failure, or what the
     * consumer threw).
     */
    public CompletableFuture<Long> done() {
        return blocks.done;
    }

    /** Asks the server to stop sending; {@link #done()} completes once it has. Idempotent. */
    @Override
    public void close() {
        blocks.cancel();
    }
}
