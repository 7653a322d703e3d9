package dev.courier.server.live;

import dev.courier.server.points.RangeRows;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One SUBSCRIBE of a connection: where it is ({@link #nextSample}), its credit, the stored rows it sends first
 * ({@link #history}, samples {@code [fromSample, historyEnd)}), and its inbox of appended blocks, bounded by
 * {@code queueBoundBytes}. {@link Subscriptions} drives it on the connection's event loop; {@link #offer} alone is
 * called from the syncer thread, and touches only the inbox, its counters and the arrival it reports (at most one
 * outstanding: {@link #arrivalTaken} re-arms it on the loop).
 */
final class Subscription implements LiveSubscriber {
    final int id;
    final String record;
    final long fromSample;
    final int rowBytes;
    /** The end of the stored rows sent first; set by {@link #start}. */
    long historyEnd;
    RangeRows history;
    /** The record's channel indexes (from 0) in the order asked; null when every channel, in order (shared bytes). */
    int[] picked;
    /** The record's channels: a stored row's. */
    int channelCount;
    final int chunkBytes;
    long creditBytes;
    long nextSample;
    boolean closed;
    /** The block being sent, polled from the inbox; null between blocks. */
    LiveBlock head;

    private final long queueBoundBytes;
    /**
     * Told, on the syncer thread, that blocks have arrived (it queues the subscription for its connection's next
     * drain); set once, before the subscription is offered any.
     */
    private Runnable onArrival;
    private final ConcurrentLinkedQueue<LiveBlock> inbox = new ConcurrentLinkedQueue<>();
    /** Bytes of blocks in the inbox and the head, as stored (every channel). */
    private final AtomicLong queuedBytes = new AtomicLong();
    /** Whether an arrival was reported that the loop has not taken yet: one report for any number of blocks. */
    private final AtomicBoolean arrivalReported = new AtomicBoolean();
    /** Set by {@link #offer} when the bound was passed; the loop then ends the subscription. */
    private volatile boolean slow;
    private volatile boolean gone;

    /** @param channelsAsked how many channels each row sent holds */
    Subscription(int id, String record, long fromSample, int channelsAsked, int chunkBytes, int windowBytes,
                 long queueBoundBytes) {
        this.id = id;
        this.record = record;
        this.fromSample = fromSample;
        this.rowBytes = channelsAsked * Double.BYTES;
        this.chunkBytes = chunkBytes;
        this.creditBytes = windowBytes;
        this.nextSample = fromSample;
        this.queueBoundBytes = queueBoundBytes;
    }

    void onArrival(Runnable task) {
        onArrival = task;
    }

    /**
     * Once added to the record: the stored rows {@code [fromSample, historyEnd)} it sends before its blocks, and its
     * channels. On the loop, before any block is taken from the inbox.
     */
    void start(long end, RangeRows rows, int[] pickedChannels, int storedChannels) {
        historyEnd = end;
        history = rows;
        picked = pickedChannels;
        channelCount = storedChannels;
    }

    @Override
    public boolean offer(LiveBlock block) {
        if (gone) {
            block.rows().release();
            return false;
        }
        long bytes = block.rows().readableBytes();
        if (queuedBytes.addAndGet(bytes) > queueBoundBytes) {
            queuedBytes.addAndGet(-bytes);
            block.rows().release();
            slow = true;
            gone = true;
            reportArrival();
            return false;
        }
        inbox.add(block);
        reportArrival();
        return true;
    }

    private void reportArrival() {
        if (arrivalReported.compareAndSet(false, true)) {
            onArrival.run();
        }
    }

    /**
     * On the loop, before it sends what arrived: a block offered from now on is reported again (one offered before
     * is in the inbox already, and sent by this drain).
     */
    void arrivalTaken() {
        arrivalReported.set(false);
    }

    boolean slow() {
        return slow;
    }

    long queuedBytes() {
        return queuedBytes.get();
    }

    /** The block to send from next, or null when nothing has arrived. */
    LiveBlock head() {
        if (head == null) {
            head = inbox.poll();
        }
        return head;
    }

    /** The head was sent to its end: its bytes leave the queue. */
    void headDone() {
        queuedBytes.addAndGet(-head.rows().readableBytes());
        head.rows().release();
        head = null;
    }

    /** Rows the next chunk may carry: what credit and the chunk size allow; 0 when it cannot send. */
    int rowsAllowed() {
        return (int) (Math.min(chunkBytes, creditBytes) / rowBytes);
    }

    /** Ends it: no more blocks are taken, the queued ones are released. On the loop. */
    void close() {
        closed = true;
        gone = true;
        if (head != null) {
            head.rows().release();
            head = null;
        }
        for (LiveBlock b; (b = inbox.poll()) != null; ) {
            b.rows().release();
        }
        queuedBytes.set(0);
    }
}
