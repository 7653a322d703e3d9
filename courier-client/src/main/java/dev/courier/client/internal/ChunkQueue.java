package dev.courier.client.internal;

import dev.courier.protocol.ByteRange;
import dev.courier.journal.RangeSet;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The chunks of a transfer still to be done, handed out lowest offset first. It holds the missing ranges, not the
 * chunks: the next chunk is cut from the lowest range when a lane asks for one, so its memory depends on how many
 * gaps the file has, never on size / chunk size (a size of 2<sup>62</sup> announced by a server costs nothing). A
 * chunk that failed goes back in a small queue of its own (it holds at most the chunks in flight) and is handed out
 * again before anything above it. {@link #poll(long)} only hands out chunks below a limit, which is how the
 * in-order digest keeps the bytes it must hold bounded. Thread-safe.
 */
public final class ChunkQueue {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final int chunkBytes;
    /** Missing ranges not yet cut into chunks, in order, none empty. */
    private final ArrayDeque<ByteRange> gaps = new ArrayDeque<>();
    /** Chunks handed out that failed and wait to be handed out again. */
    private final PriorityQueue<ByteRange> retries =
            new PriorityQueue<>(Comparator.comparingLong(ByteRange::offsetBytes));
    /** Chunks handed out and not yet done or given back. */
    private long outstanding;

    /**
     * The bytes of {@code [0, sizeBytes)} that {@code have} does not cover, in chunks of at most
     * {@code chunkBytes}.
     */
    public ChunkQueue(RangeSet have, long sizeBytes, int chunkBytes) {
        if (chunkBytes < 1) {
            throw new IllegalArgumentException("chunk size must be positive: " + chunkBytes);
        }
        this.chunkBytes = chunkBytes;
        long at = 0;
        for (ByteRange r : have.ranges()) {
            addGap(at, Math.min(r.offsetBytes(), sizeBytes));
            at = Math.max(at, r.endBytes());
        }
        addGap(at, sizeBytes);
    }

    private void addGap(long from, long to) {
        if (to > from) {
            gaps.add(new ByteRange(from, to - from));
        }
    }

    /** How many chunks are not done yet: those still to cut, those to retry and those in flight. */
    long chunksLeft() {
        lock.lock();
        try {
            long n = retries.size() + outstanding;
            for (ByteRange g : gaps) {
                n += (g.lengthBytes() + chunkBytes - 1) / chunkBytes;
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** The lowest chunk starting below {@code limitOffsetBytes}, or null. */
    ByteRange poll(long limitOffsetBytes) {
        lock.lock();
        try {
            ByteRange retry = retries.peek();
            ByteRange gap = gaps.peekFirst();
            ByteRange next;
            if (retry != null && (gap == null || retry.offsetBytes() < gap.offsetBytes())) {
                if (retry.offsetBytes() >= limitOffsetBytes) {
                    return null;
                }
                next = retries.poll();
            } else if (gap != null && gap.offsetBytes() < limitOffsetBytes) {
                next = cut(gap);
            } else {
                return null;
            }
            outstanding++;
            return next;
        } finally {
            lock.unlock();
        }
    }

    private ByteRange cut(ByteRange gap) {
        gaps.pollFirst();
        if (gap.lengthBytes() <= chunkBytes) {
            return gap;
        }
        gaps.addFirst(new ByteRange(gap.offsetBytes() + chunkBytes, gap.lengthBytes() - chunkBytes));
        return new ByteRange(gap.offsetBytes(), chunkBytes);
    }

    /**
     * A chunk handed out earlier failed: hand out {@code again} (the chunk, or the parts of it still missing; none
     * when nothing is) before anything above it.
     */
    void retry(List<ByteRange> again) {
        lock.lock();
        try {
            outstanding--;
            for (ByteRange r : again) {
                if (r.lengthBytes() > 0) {
                    retries.add(r);
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A chunk handed out earlier is done. */
    void done() {
        lock.lock();
        try {
            outstanding--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Something may have changed that lets a waiting lane go on. */
    void nudge() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    boolean finished() {
        lock.lock();
        try {
            return gaps.isEmpty() && retries.isEmpty() && outstanding == 0;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until a chunk comes back, one is done, or the wait runs out. */
    void await(long millis) throws InterruptedException {
        lock.lock();
        try {
            if (!finished()) {
                changed.await(millis, TimeUnit.MILLISECONDS);
            }
        } finally {
            lock.unlock();
        }
    }
}
