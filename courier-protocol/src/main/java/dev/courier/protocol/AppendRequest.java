package dev.courier.protocol;

import java.util.Objects;

/**
 * APPEND: adds {@code rows} rows to the live record {@code record}, creating it at {@code rateHz} with
 * {@code channelCount} channels when it is new. Row r is {@code timesSeconds[r]} and the values
 * {@code values[r * channelCount .. (r + 1) * channelCount)}, in channel order. Answered by {@link AppendAck} once
 * the rows are on disk (fsync'd), or by ERROR (BAD_APPEND, NOT_LIVE, LIVE_DISABLED).
 *
 * <p>The arrays are owned by the message: callers must not change them. The reader refuses only what the fields
 * cannot hold (no channel, a row count that does not match the bytes); the server checks the rest (docs/protocol.md,
 * "APPEND").
 */
public record AppendRequest(int requestId, String record, double rateHz, int channelCount, double[] timesSeconds,
                            double[] values) implements Request {
    /** Bytes of the fixed fields after the record: rateHz f64, channels u16, rows u32. */
    public static final int FIXED_BYTES = 8 + 2 + 4;

    public AppendRequest {
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(timesSeconds, "timesSeconds");
        Objects.requireNonNull(values, "values");
        if (channelCount < 1 || values.length != (long) timesSeconds.length * channelCount) {
            throw new IllegalArgumentException(values.length + " values are not " + timesSeconds.length
                    + " rows of " + channelCount + " channels");
        }
    }

    /** Rows in the append. */
    public int rows() {
        return timesSeconds.length;
    }

    /** Bytes of one row on the wire: its time and a f64 per channel. */
    public static int rowWireBytes(int channelCount) {
        return Double.BYTES * (1 + channelCount);
    }
}
