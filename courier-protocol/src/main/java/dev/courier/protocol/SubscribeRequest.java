package dev.courier.protocol;

import java.util.Objects;

/**
 * SUBSCRIBE: streams the rows of live record {@code record}'s {@code channels} from sample {@code fromSample} on,
 * the stored ones first and then each appended row as it is acknowledged, as CHUNK frames under the credit of
 * READ_STREAM (WINDOW, CANCEL). The rows are laid out as RANGE_STREAM's (a big-endian f64 per channel); a chunk at
 * offset o starts with sample {@code fromSample + o / rowBytes()}. Unlike a range, the stream has no end: it ends
 * only on CANCEL (END) or ERROR (SLOW_CONSUMER when the subscriber's queue passes its bound), and a chunk holds the
 * rows there are, at most {@code chunkBytes}, so it may be short.
 *
 * <p>The array is owned by the message. The reader refuses only what the fields cannot hold: a sample index at or
 * above 2^63, a window above 2^31-1, no channel.
 */
public record SubscribeRequest(int requestId, String record, long fromSample, int windowBytes, int chunkBytes,
                               int[] channels) implements OpensStream {
    /** No end: the stream's length as the client's stream bookkeeping counts it. */
    public static final long ENDLESS_BYTES = Long.MAX_VALUE / 2;

    public SubscribeRequest {
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(channels, "channels");
    }

    /** Bytes of one row: a f64 per channel. */
    public int rowBytes() {
        return channels.length * Double.BYTES;
    }

    @Override
    public long offsetBytes() {
        return 0;
    }

    @Override
    public long lengthBytes() {
        return ENDLESS_BYTES;
    }

    @Override
    public long sizeBytes() {
        return ENDLESS_BYTES;
    }

    /** A live chunk holds the rows that have arrived: any whole number of rows up to {@code chunkBytes}. */
    @Override
    public boolean shortChunks() {
        return true;
    }
}
