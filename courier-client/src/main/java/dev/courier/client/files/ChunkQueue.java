package dev.courier.client.files;

import dev.courier.protocol.ByteRange;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The chunks of a transfer still to be done, handed out lowest offset first. A chunk that failed goes back in and
 * is handed out again. {@link #poll(long)} only hands out chunks below a limit, which is how the in-order digest
 * keeps the bytes it must hold bounded. Thread-safe.
 */
final class ChunkQueue {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final PriorityQueue<ByteRange> todo = new PriorityQueue<>(Comparator.comparingLong(ByteRange::offsetBytes));
    private int remaining;

    ChunkQueue(List<ByteRange> chunks) {
        todo.addAll(chunks);
        remaining = chunks.size();
    }

    /** The lowest chunk starting below {@code limitOffsetBytes}, or null. */
    ByteRange poll(long limitOffsetBytes) {
        lock.lock();
        try {
            ByteRange first = todo.peek();
            return first != null && first.offsetBytes() < limitOffsetBytes ? todo.poll() : null;
        } finally {
            lock.unlock();
        }
    }

    /** A chunk handed out earlier failed: hand it out again. */
    void retry(ByteRange chunk) {
        lock.lock();
        try {
            todo.add(chunk);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A chunk handed out earlier is done. */
    void done() {
        lock.lock();
        try {
            remaining--;
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
            return remaining == 0;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until a chunk comes back, one is done, or the wait runs out. */
    void await(long millis) throws InterruptedException {
        lock.lock();
        try {
            if (remaining > 0) {
                changed.await(millis, TimeUnit.MILLISECONDS);
            }
        } finally {
            lock.unlock();
        }
    }
}
