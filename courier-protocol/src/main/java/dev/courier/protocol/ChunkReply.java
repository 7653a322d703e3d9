package dev.courier.protocol;

import io.netty.buffer.ByteBuf;

/**
 * File bytes answering a {@link ReadRequest}, or one of the chunks of a {@link StreamRequest}. {@code last} is set
 * when the chunk reaches the end of the file; {@code end} on a stream's final frame (flag END); {@code crc32c} is
 * meaningful only when {@code hasCrc} is set.
 *
 * <p>The data buffer is reference counted: whoever receives a decoded chunk must {@link #release()} it.
 */
public record ChunkReply(int requestId, long offsetBytes, boolean last, boolean end, boolean hasCrc, int crc32c,
                         ByteBuf data) implements Reply, BulkMessage {

    /** A chunk that ends no stream, as every answer to a READ. */
    public ChunkReply(int requestId, long offsetBytes, boolean last, boolean hasCrc, int crc32c, ByteBuf data) {
        this(requestId, offsetBytes, last, false, hasCrc, crc32c, data);
    }
}
