package dev.courier.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;

/**
 * File bytes answering a {@link ReadRequest}. {@code last} is set when the chunk reaches the end of the file;
 * {@code crc32c} is meaningful only when {@code hasCrc} is set.
 *
 * <p>The data buffer is reference counted: whoever receives a decoded chunk must {@link #release()} it.
 */
public record ChunkReply(int requestId, long offsetBytes, boolean last, boolean hasCrc, int crc32c, ByteBuf data)
        implements Message, ReferenceCounted {

    public int lengthBytes() {
        return data.readableBytes();
    }

    @Override
    public boolean release() {
        return data.release();
    }

    @Override
    public boolean release(int decrement) {
        return data.release(decrement);
    }

    @Override
    public int refCnt() {
        return data.refCnt();
    }

    @Override
    public ChunkReply retain() {
        data.retain();
        return this;
    }

    @Override
    public ChunkReply retain(int increment) {
        data.retain(increment);
        return this;
    }

    @Override
    public ChunkReply touch() {
        data.touch();
        return this;
    }

    @Override
    public ChunkReply touch(Object hint) {
        data.touch(hint);
        return this;
    }
}
