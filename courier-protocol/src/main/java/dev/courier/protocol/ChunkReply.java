package dev.courier.protocol;

import io.netty.buffer.ByteBuf;

/**
 * File bytes answering a {@link ReadRequest}, or one of the chunks of a {@link StreamRequest}. {@code last} is set
 * when the chunk reaches the end of the file; {@code end} on a stream's final frame (flag END); {@code crc32c} is
 * meaningful only when {@code hasCrc} is set. {@code scaled} (flag SCALED) marks a RANGE_STREAM chunk whose rows
 * are scaled i16 values rather than f64 (see {@link RangeRequest}).
 *
 * <p>The data buffer is reference counted: whoever receives a decoded chunk must {@link #release()} it.
 */
public record ChunkReply(int requestId, long offsetBytes, boolean last, boolean end, boolean hasCrc, int crc32c,
                         ByteBuf data, boolean scaled) implements Reply, BulkMessage {

    /** A chunk of bytes as they are: a file's, or a range's f64 rows. */
    public ChunkReply(int requestId, long offsetBytes, boolean last, boolean end, boolean hasCrc, int crc32c,
                      ByteBuf data) {
        this(requestId, offsetBytes, last, end, hasCrc, crc32c, data, false);
    }

    /** A chunk that ends no stream, as every answer to a READ. */
    public ChunkReply(int requestId, long offsetBytes, boolean last, boolean hasCrc, int crc32c, ByteBuf data) {
        this(requestId, offsetBytes, last, false, hasCrc, crc32c, data);
    }
}
