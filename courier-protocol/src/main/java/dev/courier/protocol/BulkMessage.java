package dev.courier.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;

/**
 * A message that carries file bytes (CHUNK, UPLOAD_WRITE). Its reference count is its data buffer's: whoever
 * receives a decoded one releases it once, and Netty releases one whose write fails.
 */
public sealed interface BulkMessage extends Message, ReferenceCounted permits ChunkReply, UploadWrite {
    /** The bytes carried. */
    ByteBuf data();

    /** Bytes of data. */
    default int lengthBytes() {
        return data().readableBytes();
    }

    @Override
    default boolean release() {
        return data().release();
    }

    @Override
    default boolean release(int decrement) {
        return data().release(decrement);
    }

    @Override
    default int refCnt() {
        return data().refCnt();
    }

    @Override
    default BulkMessage retain() {
        data().retain();
        return this;
    }

    @Override
    default BulkMessage retain(int increment) {
        data().retain(increment);
        return this;
    }

    @Override
    default BulkMessage touch() {
        data().touch();
        return this;
    }

    @Override
    default BulkMessage touch(Object hint) {
        data().touch(hint);
        return this;
    }
}
