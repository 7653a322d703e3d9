package dev.courier.protocol;

import io.netty.buffer.ByteBuf;

/**
 * Bytes of an upload at {@code offsetBytes}, with the CRC32C of {@code data}. The buffer is reference counted:
 * whoever receives a decoded write must {@link #release()} it.
 */
public record UploadWrite(int requestId, long uploadId, long offsetBytes, int crc32c, ByteBuf data)
        implements Request, BulkMessage {
}
