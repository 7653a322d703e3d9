package dev.courier.client.internal;

import dev.courier.client.CourierException;
import dev.courier.client.DownloadOptions;
import dev.courier.client.DownloadProgress;
import dev.courier.protocol.ByteRange;
import dev.courier.protocol.ErrorCode;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Moves the ranges of one transfer, download or upload, over several connections: one lane per connection, each
 * keeping a window of ranges in flight and taking them back in order. What is sent for a range and what is done
 * with its outcome is the {@link RangeExchange}'s; the lanes own everything around it:
 * <ul>
 * <li>a lost connection is reopened with backoff ({@link Retry}), and what its ranges in flight had not delivered
 * goes back in the queue, for any lane to take; so does what its exchange could not take in;</li>
 * <li>a range that gets no outcome within the stall timeout counts as a lost connection;</li>
 * <li>the transfer gives up with the exchange's {@link RangeExchange#stalled} failure when no range has been done for
 * the stall timeout, and with the first failure no new connection cures as soon as any lane meets one.</li>
 * </ul>
 *
 * <p>Threading: {@link #run} blocks until the transfer ends; each lane runs on a virtual thread of its own and waits
 * on its connection's futures. One instance runs one transfer once.
 *
 * @param <O> the exchange's range in flight
 */
public final class TransferLanes<O extends RangeExchange.InFlight> {
    /** How long an idle lane waits for a range to come back before it looks again. */
    private static final long IDLE_WAIT_MILLIS = 50;

    private final Dialer dialer;
    private final Retry retry;
    private final ChunkQueue queue;
    private final RangeExchange<O> exchange;
    private final DownloadProgress progress;
    private final int connections;
    private final int rangesPerConnection;
    private final long stallTimeoutNanos;
    private final AtomicLong lastProgressNanos = new AtomicLong(System.nanoTime());
    private final AtomicLong requeued = new AtomicLong();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private final Deadline stall = new Stall();

    /**
     * @param options  the connections, ranges in flight per connection, stall timeout and backoff to use
     * @param progress told when a lane reconnects
     */
    public TransferLanes(Dialer dialer, DownloadOptions options, ChunkQueue queue, RangeExchange<O> exchange,
                         DownloadProgress progress) {
        this.dialer = dialer;
        this.retry = new Retry(dialer.scheduler(), options.backoff());
        this.queue = queue;
        this.exchange = exchange;
        this.progress = progress;
        this.connections = options.connections();
        this.rangesPerConnection = options.readsPerConnection();
        this.stallTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(options.stallTimeoutMillis());
    }

    /** Lanes {@link #run} uses: one per connection asked for, but no more than there are ranges. */
    public int lanes() {
        return (int) Math.max(1, Math.min(connections, queue.chunksLeft()));
    }

    /**
     * Runs the lanes until every range is done, or the transfer fails.
     *
     * @param first the connection the first lane starts on (left open for the caller), or null
     * @throws RuntimeException the transfer's failure: a {@link CourierException}, or whatever a progress listener
     *                          threw
     */
    public void run(WireConnection first) {
        if (!queue.finished()) {
            int lanes = lanes();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < lanes; i++) {
                    WireConnection initial = i == 0 ? first : null;
                    pool.submit(() -> lane(initial));
                }
            }
        }
        RuntimeException f = failure.get();
        if (f != null) {
            throw f;
        }
    }

    /**
     * Ranges sent again so far: lost with their connection, or not taken in (a stream's damaged chunks count one
     * each).
     */
    public long requeued() {
        return requeued.get();
    }

    /**
     * The stall deadline: it passes when no range has been done for the stall timeout, or once the transfer failed.
     * For what comes after the lanes (an upload's COMMIT), which must not outlast it either.
     */
    public Deadline stallDeadline() {
        return stall;
    }

    /** One connection's loop: keep its window full, take the outcomes in order, reconnect on loss. */
    private void lane(WireConnection initial) {
        WireConnection c = initial;
        ArrayDeque<O> window = new ArrayDeque<>();
        int reconnects = 0;
        try {
            while (failure.get() == null) {
                if (c == null || !c.isOpen()) {
                    if (c != null) {
                        progress.note("connection lost; reconnecting");
                        dialer.lost(c);
                    }
                    requeueAll(window);
                    c = reconnect(reconnects++);
                    continue;
                }
                fill(c, window);
                if (window.isEmpty()) {
                    if (queue.finished()) {
                        return;
                    }
                    checkStall();
                    queue.await(IDLE_WAIT_MILLIS);
                    continue;
                }
                O head = window.removeFirst();
                try {
                    head.reply().get(stallTimeoutNanos, TimeUnit.NANOSECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    CourierException ce = e instanceof ExecutionException ? asCourier(e.getCause())
                            : new CourierException(ErrorCode.TIMED_OUT, "no reply for "
                                    + TimeUnit.NANOSECONDS.toMillis(stallTimeoutNanos) + " ms");
                    requeue(head);
                    if (exchange.recover(c, head, ce)) {
                        continue;
                    }
                    if (ce.code() == ErrorCode.RATE_LIMITED) {
                        // Over the server's rate: this lane waits as told, then asks again on the same connection.
                        progress.note("rate limited by the server; waiting " + ce.retryAfterMillis() + " ms");
                        TimeUnit.MILLISECONDS.sleep(Math.max(1, ce.retryAfterMillis()));
                        continue;
                    }
                    if (!Retry.curable(ce)) {
                        throw ce;
                    }
                    progress.note("connection lost (" + ce.code() + "); reconnecting");
                    dialer.lost(c);
                    c.closeAsync();
                    c = null;
                    continue;
                }
                reconnects = 0;
                if (exchange.receive(head)) {
                    lastProgressNanos.set(System.nanoTime());
                    queue.done();
                } else {
                    requeue(exchange.remaining(head));
                }
            }
        } catch (RuntimeException e) {
            failure.compareAndSet(null, CourierException.unwrap(e));
        } catch (InterruptedException e) {
            failure.compareAndSet(null, new CourierException(ErrorCode.CONNECTION_CLOSED, "interrupted"));
        } finally {
            queue.nudge(); // lanes waiting for ranges to come back look again (and find the failure, if any)
            window.forEach(exchange::abandon);
            if (c != null && c != initial) {
                c.closeAsync();
            }
        }
    }

    private void fill(WireConnection c, ArrayDeque<O> window) {
        while (window.size() < rangesPerConnection) {
            ByteRange next = queue.poll(exchange.sendLimitBytes());
            if (next == null) {
                return;
            }
            window.add(exchange.send(c, next));
        }
    }

    private void requeue(O op) {
        exchange.abandon(op);
        requeue(exchange.remaining(op));
    }

    /** Hands {@code again} back to the queue; each range counts as one sent again. */
    private void requeue(List<ByteRange> again) {
        requeued.addAndGet(again.size());
        queue.retry(again);
    }

    private void requeueAll(ArrayDeque<O> window) {
        for (O op : window) {
            requeue(op);
        }
        window.clear();
    }

    /** A new connection for a lane that lost its own, after the backoff of its {@code attempt}-th reconnect. */
    private WireConnection reconnect(int attempt) throws InterruptedException {
        CompletableFuture<WireConnection> f = retry.run(attempt, n -> dialer.connect(), stall,
                WireConnection::closeAsync);
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw CourierException.unwrap(e.getCause());
        } catch (InterruptedException e) {
            f.thenAccept(WireConnection::closeAsync);
            throw e;
        }
    }

    private void checkStall() {
        if (stall.nanosLeft(System.nanoTime()) <= 0) {
            throw stall.expired(0, null);
        }
    }

    private static CourierException asCourier(Throwable t) {
        RuntimeException r = CourierException.unwrap(t);
        return r instanceof CourierException c ? c : new CourierException(ErrorCode.INTERNAL, r.toString(), r);
    }

    /** Passes when no range has been done for the stall timeout, or as soon as another lane failed. */
    private final class Stall implements Deadline {
        @Override
        public long nanosLeft(long nowNanos) {
            return failure.get() != null ? 0 : lastProgressNanos.get() + stallTimeoutNanos - nowNanos;
        }

        @Override
        public RuntimeException expired(int attempts, CourierException last) {
            RuntimeException f = failure.get();
            return f != null ? f
                    : exchange.stalled(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastProgressNanos.get()));
        }
    }
}
