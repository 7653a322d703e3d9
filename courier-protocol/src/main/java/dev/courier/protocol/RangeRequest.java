package dev.courier.protocol;

import java.util.Objects;

/**
 * RANGE_STREAM: asks the server to stream the samples {@code fromSample, fromSample + step, ...} below
 * {@code toSample} of {@code record}'s {@code channels} (numbered from 1, in the order given), as CHUNK frames under
 * the credit mechanism of READ_STREAM. The stream's bytes are rows, one per sample, each {@code channels.length}
 * big-endian f64 values: row r is sample {@code fromSample + r * step} and starts at byte {@code r * rowBytes()}.
 * {@code chunkBytes} is a multiple of {@link #rowBytes()}, so no row is split between chunks.
 *
 * <p>The record holds whatever a peer sent (the array is owned by the message: callers must not change it); the
 * server checks every rule of docs/protocol.md ("RANGE_STREAM"). The reader refuses only what the fields cannot
 * hold: a sample index at or above 2^63, a window above 2^31-1, no channel.
 */
public record RangeRequest(int requestId, String record, long fromSample, long toSample, int step, int windowBytes,
                           int chunkBytes, int[] channels) implements OpensStream {
    /** Bytes of one value in a row. */
    public static final int VALUE_BYTES = 8;

    public RangeRequest {
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(channels, "channels");
    }

    /** Bytes of one row: a f64 per channel. */
    public int rowBytes() {
        return channels.length * VALUE_BYTES;
    }

    /** Rows in the range: one per {@code step} samples from {@code fromSample} below {@code toSample}; 0 if empty. */
    public long rows() {
        if (toSample <= fromSample || step <= 0) {
            return 0;
        }
        return (toSample - fromSample + step - 1) / step;
    }

    /** The stream's bytes count from the first row. */
    @Override
    public long offsetBytes() {
        return 0;
    }

    @Override
    public long lengthBytes() {
        return rows() * rowBytes();
    }

    /** The whole is the range: its final chunk carries LAST as well as END. */
    @Override
    public long sizeBytes() {
        return lengthBytes();
    }
}
