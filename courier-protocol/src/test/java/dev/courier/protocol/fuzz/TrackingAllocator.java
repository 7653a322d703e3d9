package dev.courier.protocol.fuzz;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * An unpooled heap allocator that remembers every buffer it hands out, so that a fuzz target can tell, as soon as one
 * execution ends, whether each was released. The leak detector (PARANOID in tests) also reports leaks, but only
 * when the garbage collector finds them, later and in a log; a fuzzer needs the verdict on the input that caused
 * it. Heap buffers only, so that a leak costs no native memory while the fuzzer goes on.
 *
 * <p>One instance per execution; not thread-safe (an {@code EmbeddedChannel} runs on the calling thread).
 */
public final class TrackingAllocator extends AbstractByteBufAllocator {
    private final List<ByteBuf> allocated = new ArrayList<>();

    public TrackingAllocator() {
        super(false);
    }

    /** A buffer holding a copy of {@code bytes}, tracked like every other. */
    public ByteBuf copyOf(byte[] bytes) {
        return heapBuffer(bytes.length, bytes.length).writeBytes(bytes);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return track(new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity));
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        // Direct memory is not asked for, but a handler may ask anyway: give it heap memory, still tracked.
        return newHeapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    private ByteBuf track(ByteBuf buf) {
        allocated.add(buf);
        return buf;
    }

    /**
     * Fails when a buffer handed out is still referenced.
     *
     * @throws AssertionError naming how many were not released
     */
    public void assertAllReleased() {
        int live = 0;
        for (ByteBuf b : allocated) {
            if (b.refCnt() != 0) {
                live++;
            }
        }
        if (live > 0) {
            throw new AssertionError(live + " of " + allocated.size() + " buffers were not released");
        }
    }
}
