package dev.courier.client.internal;

import dev.courier.client.ChunkListener;
import dev.courier.client.CourierException;
import dev.courier.client.FileDigest;
import dev.courier.protocol.ByteRange;
import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A download's exchange with a server that streams: a range (a piece of the file, many chunks long) is one
 * READ_STREAM, whose CHUNKs the server pushes within the credit this side grants. The connection's handler has
 * checked each chunk's offset, length, credit and flags; the chunk is then handed to the {@link ChunkStore} (CRC32C,
 * digest, part file, journal) and its bytes given back as credit. So the server is never more than the stream's
 * window ahead of the disk.
 *
 * <p>Where a chunk is stored: when storing cannot block (the download discards and has no rate limit,
 * {@link ChunkStore#storesWithoutBlocking}), on the event loop as it arrives: the CRC32C runs on the bytes the socket
 * read just brought into the cache, and no thread is woken per chunk (docs/benchmarks.md, "get without the hop").
 * The hashing window is then kept by the credit instead: a stream whose delivered bytes reach past it holds the
 * credit they freed, and the digest thread hands it over ({@link #hashMoved}) once the hashing point has moved a
 * grant's worth (docs/benchmarks.md, "The digest without the hand-off"). So the digest holds at most the window plus
 * each stream's credit, as before, without a thread between the socket and the digest. Otherwise (the part file is
 * written, or a rate limit paces the store), a consumer thread of the stream's own takes the chunks in order, waits
 * while one lies beyond the window, and stores them; what waits in its queue is bounded by the stream's credit.
 *
 * <p>A damaged chunk does not stop the stream: it is dropped, and its range is handed back to the lanes to fetch
 * again ({@link #remaining}). A stream that fails (the connection lost, the server silent, an ERROR) hands back
 * what it had not delivered, for any lane to take.
 *
 * <p>Thread-safe: the lanes call it at once.
 */
final class StreamReads implements RangeExchange<StreamReads.Stream> {
    private final ChunkStore store;
    private final FileDigest version;
    private final long hashWindowBytes;
    private final int windowBytes;
    private final int chunkBytes;
    private final ChunkListener chunkListener;
    /** Credit a consumer collects before it hands it to the event loop: {@link ClientStream}'s WINDOW threshold. */
    private final int grantBatchBytes;
    private final ReentrantLock hashLock = new ReentrantLock();
    private final Condition hashMoved = hashLock.newCondition();
    /** Streams stored on the event loop that hold credit back for the hashing window. */
    private final Set<Stream> holdingCredit = ConcurrentHashMap.newKeySet();

    /**
     * @param hashWindowBytes how far past the hashing point chunks may be taken in
     * @param windowBytes     each stream's credit, in data bytes
     * @param chunkBytes      data bytes per CHUNK asked for
     */
    StreamReads(ChunkStore store, FileDigest version, long hashWindowBytes, int windowBytes, int chunkBytes,
                ChunkListener chunkListener) {
        this.store = store;
        this.version = version;
        this.hashWindowBytes = hashWindowBytes;
        this.windowBytes = windowBytes;
        this.chunkBytes = chunkBytes;
        this.chunkListener = chunkListener;
        this.grantBatchBytes = ClientStream.grantThresholdBytes(windowBytes);
    }

    /**
     * The hashing point moved (on the digest's thread): streams holding credit for the window hand it over once
     * there is room, and consumers waiting for room look again. Blocks at most while an event loop stores a chunk.
     */
    void hashMoved() {
        holdingCredit.forEach(Stream::grantHeldCredit);
        hashLock.lock();
        try {
            hashMoved.signalAll();
        } finally {
            hashLock.unlock();
        }
    }

    @Override
    public Stream send(WireConnection c, ByteRange range) {
        Stream s = new Stream(range);
        s.handle = c.stream(store.name(), range.offsetBytes(), range.lengthBytes(), windowBytes, chunkBytes,
                version, store.refetch(range), s);
        s.opened();
        return s;
    }

    @Override
    public boolean receive(Stream s) {
        return s.damaged.isEmpty();
    }

    @Override
    public List<ByteRange> remaining(Stream s) {
        List<ByteRange> again = new ArrayList<>(s.damaged);
        long end = s.range.endBytes();
        if (s.consumedUpTo < end) {
            again.add(new ByteRange(s.consumedUpTo, end - s.consumedUpTo));
        }
        return again;
    }

    @Override
    public void abandon(Stream s) {
        s.stop();
    }

    @Override
    public long sendLimitBytes() {
        return store.sendLimitBytes(hashWindowBytes);
    }

    @Override
    public CourierException stalled(long quietMillis) {
        return store.stalled(quietMillis);
    }

    /** What the event loop hands the consumer besides chunks. */
    private sealed interface Signal {
    }

    private record Ended(long endOffsetBytes) implements Signal {
    }

    private record Failed(CourierException failure) implements Signal {
    }

    private record Stopped() implements Signal {
    }

    /**
     * One stream in flight: its listener (event loop), its consumer thread once it needs one, and what it delivered.
     * {@link #lock} keeps a chunk stored on the event loop, the start of the consumer and {@link #stop} apart, so
     * what the lane reads after {@code stop} ({@link #remaining}) no longer changes.
     */
    final class Stream implements RangeExchange.InFlight, StreamListener {
        private final ByteRange range;
        private final ReentrantLock lock = new ReentrantLock();
        /** Whether chunks may be stored on the event loop: the store never blocks. */
        private final boolean inline = store.storesWithoutBlocking();
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        /** Chunks and signals, in arrival order; its chunks are bounded by the stream's credit. */
        private final LinkedBlockingQueue<Object> arrived = new LinkedBlockingQueue<>();
        private final long openedNanos = System.nanoTime();
        /** Consumer thread only, until it ends; then read by the lane. */
        private final List<ByteRange> damaged = new ArrayList<>();
        private volatile long consumedUpTo;
        /**
         * Consumer thread only: bytes consumed and not yet handed to the event loop as credit. Handed over once they
         * reach {@link #grantBatchBytes}, the least {@link ClientStream} turns into a WINDOW, so the consumer wakes
         * the event loop once per WINDOW rather than once per chunk, and the server sees the same WINDOWs.
         */
        private int ungrantedBytes;
        /**
         * Guarded by {@link #lock}: the stream is stored on the event loop and holds {@link #ungrantedBytes} back
         * because what it delivered reaches past the hashing window; {@link #grantHeldCredit} hands them over.
         */
        private boolean holding;
        private volatile boolean stopped;
        /** Event loop only: a chunk stored on it failed the download; the rest is dropped. */
        private boolean failedInline;
        private volatile StreamHandle handle;
        /** Guarded by {@link #lock}; null until a chunk (or the stream's end) must wait for one. */
        private Thread consumer;

        Stream(ByteRange range) {
            this.range = range;
            this.consumedUpTo = range.offsetBytes();
        }

        @Override
        public ByteRange range() {
            return range;
        }

        @Override
        public CompletableFuture<?> reply() {
            return done;
        }

        /** The lane has the handle: start the consumer now if chunks already wait, or if every chunk needs it. */
        void opened() {
            lock.lock();
            try {
                if (!stopped && consumer == null && (!inline || !arrived.isEmpty())) {
                    startConsumer();
                }
            } finally {
                lock.unlock();
            }
        }

        /** Under {@link #lock}. */
        private void startConsumer() {
            consumer = Thread.ofVirtual().name("courier-stream-" + range.offsetBytes()).start(this::consume);
        }

        /** Under {@link #lock}: the event loop may store this stream's next chunk itself. */
        private boolean storesHere() {
            return inline && consumer == null && handle != null;
        }

        @Override
        public void chunk(ChunkReply chunk) {
            lock.lock();
            try {
                if (stopped || failedInline) {
                    chunk.release();
                } else if (storesHere()) {
                    storeHere(chunk);
                } else {
                    arrived.add(chunk);
                    if (consumer == null && handle != null) {
                        startConsumer(); // from here on, in order, the consumer takes every chunk of the stream
                    }
                }
            } finally {
                lock.unlock();
            }
        }

        /**
         * Under {@link #lock}, on the event loop: stores {@code c} without waiting; the credit it frees is granted
         * while the stream's delivered bytes lie within the hashing window, else held for {@link #grantHeldCredit}.
         */
        private void storeHere(ChunkReply c) {
            RuntimeException failure;
            try {
                if (deliver(c) && ungrantedBytes >= grantBatchBytes) {
                    if (consumedUpTo < store.sendLimitBytes(hashWindowBytes)) {
                        grant();
                        stopHolding();
                    } else if (!holding) {
                        holding = true;
                        holdingCredit.add(this);
                    }
                }
                return;
            } catch (RuntimeException e) {
                failure = e;
            } finally {
                c.release();
            }
            failedInline = true;
            done.completeExceptionally(failure);
            handle.cancel();
        }

        @Override
        public void ended(long endOffsetBytes) {
            signal(new Ended(endOffsetBytes));
        }

        @Override
        public void failed(CourierException failure) {
            signal(new Failed(failure));
        }

        /** An end or a failure: straight to the lane when no consumer has chunks in hand, else after them. */
        private void signal(Signal end) {
            lock.lock();
            try {
                stopHolding(); // the stream is over: nothing more will come for its credit
                if (consumer == null && handle != null) {
                    switch (end) {
                        case Ended e -> done.complete(null);
                        case Failed f -> done.completeExceptionally(f.failure());
                        case Stopped s -> done.completeExceptionally(stoppedFailure());
                    }
                } else {
                    arrived.add(end);
                }
            } finally {
                lock.unlock();
            }
        }

        /** The consumer: takes the chunks in order until the stream ends, fails or is stopped. */
        private void consume() {
            try {
                while (true) {
                    Object next = arrived.take();
                    switch (next) {
                        case ChunkReply c -> {
                            try {
                                awaitHashWindow(c.offsetBytes());
                                if (deliver(c) && ungrantedBytes >= grantBatchBytes) {
                                    grant();
                                }
                            } finally {
                                c.release();
                            }
                        }
                        case Ended e -> {
                            done.complete(null);
                            return;
                        }
                        case Failed f -> {
                            done.completeExceptionally(f.failure());
                            return;
                        }
                        case Stopped s -> {
                            done.completeExceptionally(stoppedFailure());
                            return;
                        }
                        default -> throw new IllegalStateException("not a chunk or a signal: " + next);
                    }
                }
            } catch (InterruptedException e) {
                done.completeExceptionally(new CourierException(ErrorCode.CONNECTION_CLOSED, "interrupted"));
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
                handle.cancel();
            } finally {
                drain();
            }
        }

        /**
         * Stores {@code c} (on the event loop or the consumer, whichever owns the stream) and counts its bytes as
         * credit to give back.
         *
         * @return false when the stream was stopped and the chunk dropped
         */
        private boolean deliver(ChunkReply c) {
            if (stopped) {
                return false;
            }
            long offset = c.offsetBytes();
            int n = c.data().readableBytes();
            chunkListener.received(offset, n, System.nanoTime() - openedNanos);
            if (!store.store(offset, c.data(), c.hasCrc(), c.crc32c())) {
                damaged.add(new ByteRange(offset, n));
            }
            consumedUpTo = offset + n;
            ungrantedBytes += n;
            return true;
        }

        /**
         * Hands the consumed credit to the event loop. Batched to {@link #grantBatchBytes}, the least
         * {@link ClientStream} turns into a WINDOW, so a consumer wakes the event loop once per WINDOW, not per chunk.
         */
        private void grant() {
            handle.consumed(ungrantedBytes);
            ungrantedBytes = 0;
        }

        /**
         * On the digest's thread: grants the credit held for the hashing window once the window has a grant's worth
         * of room past what the stream delivered, so the digest wakes the event loop once per WINDOW, not per chunk.
         */
        void grantHeldCredit() {
            lock.lock();
            try {
                if (holding && (stopped
                        || consumedUpTo + grantBatchBytes <= store.sendLimitBytes(hashWindowBytes))) {
                    stopHolding();
                    if (!stopped) {
                        grant();
                    }
                }
            } finally {
                lock.unlock();
            }
        }

        /** Under {@link #lock}: the stream no longer holds credit back for the hashing window. */
        private void stopHolding() {
            if (holding) {
                holding = false;
                holdingCredit.remove(this);
            }
        }

        /** Waits while {@code offset} lies beyond the hashing window, so the digest holds a bounded amount. */
        private void awaitHashWindow(long offset) throws InterruptedException {
            hashLock.lock();
            try {
                while (!stopped && offset >= store.sendLimitBytes(hashWindowBytes)) {
                    hashMoved.await(50, TimeUnit.MILLISECONDS);
                }
            } finally {
                hashLock.unlock();
            }
        }

        /** Stops the stream: cancels it, ends the consumer and releases what waits. */
        void stop() {
            stopped = true;
            StreamHandle h = handle;
            if (h != null) {
                h.cancel();
            }
            arrived.add(new Stopped());
            hashMoved();
            Thread t;
            lock.lock(); // waits for a chunk the event loop is storing; none is stored after this
            try {
                stopHolding();
                t = consumer;
                if (t == null) {
                    done.completeExceptionally(stoppedFailure());
                }
            } finally {
                lock.unlock();
            }
            if (t != null) {
                boolean interrupted = false;
                while (true) {
                    try {
                        t.join();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            drain();
        }

        private static CourierException stoppedFailure() {
            return new CourierException(ErrorCode.CONNECTION_CLOSED, "stream stopped");
        }

        private void drain() {
            Object o;
            while ((o = arrived.poll()) != null) {
                if (o instanceof ChunkReply c) {
                    c.release();
                }
            }
        }
    }
}
