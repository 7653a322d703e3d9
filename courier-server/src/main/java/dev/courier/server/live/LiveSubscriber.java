package dev.courier.server.live;

/**
 * Where a live record hands each acknowledged block: one subscription. Called on the syncer thread with the
 * record's lock held, so it must not block: it queues the block (or finds its queue past the bound) and returns.
 */
interface LiveSubscriber {
    /** Takes a reference to {@code block}, which it releases; false when it is full and ends (SLOW_CONSUMER). */
    boolean offer(LiveBlock block);
}
