package dev.courier.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;

/**
 * Bytes of an upload at {@code offsetBytes}, with the CRC32C of {@code data}. The buffer is reference counted:
 * whoever receives a decoded write must {@link #release()} it.
 */
public record UploadWrite(int requestId, long uploadId, long offsetBytes, int crc32c, ByteBuf data)
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
    public UploadWrite retain() {
        data.retain();
        return this;
    }

    @Override
    public UploadWrite retain(int increment) {
        data.retain(increment);
        return this;
    }

    @Override
    public UploadWrite touch() {
        data.touch();
        return this;
    }

    @Override
    public UploadWrite touch(Object hint) {
        data.touch(hint);
        return this;
    }
}
