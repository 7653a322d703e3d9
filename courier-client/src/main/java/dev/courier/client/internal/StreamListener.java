package dev.courier.client.internal;

import dev.courier.client.CourierException;
import dev.courier.protocol.ChunkReply;

/**
 * Where the CHUNKs of one READ_STREAM go as they arrive. Exactly one of {@link #ended} and {@link #failed} is called,
 * once, after every {@link #chunk}. All calls come on the connection's event loop and must not block.
 */
public interface StreamListener {
    /**
     * A chunk that keeps the stream's rules (its offset, length, credit and flags are checked; its CRC32C is the
     * listener's to check, since a damaged chunk is fetched again, not a broken rule). The listener owns the chunk
     * and releases it; data bytes it consumed go back to the server as credit through {@link StreamHandle#consumed}.
     */
    void chunk(ChunkReply chunk);

    /** The stream ended with flag END; everything before {@code endOffsetBytes} was delivered. */
    void ended(long endOffsetBytes);

    /**
     * The stream failed: the server's ERROR for it (FILE_CHANGED, UNKNOWN_TYPE from a server that predates streams,
     * ...), a broken rule (BAD_REPLY; the connection is closed), the server's silence (TIMED_OUT), or the lost
     * connection.
     */
    void failed(CourierException failure);
}
