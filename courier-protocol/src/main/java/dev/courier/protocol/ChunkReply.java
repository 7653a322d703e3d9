package dev.courier.protocol;

import io.netty.buffer.ByteBuf;

/**
 * File bytes answering a {@link ReadRequest}. {@code last} is set when the chunk reaches the end of the file;
 * {@code crc32c} is meaningful only when {@code hasCrc} is set.
 *
 * <p>The data buffer is reference counted: whoever receives a decoded chunk must {@link #release()} it.
 */
public record ChunkReply(int requestId, long offsetBytes, boolean last, boolean hasCrc, int crc32c, ByteBuf data)
        implements Reply, BulkMessage {
}
