package dev.courier.protocol;

import java.util.Objects;

/**
 * RANGE_STREAM: asks the server to stream the samples {@code fromSample, fromSample + step, ...} below
 * {@code toSample} of {@code record}'s {@code channels} (numbered from 1, in the order given), as CHUNK frames under
 * the credit mechanism of READ_STREAM. The stream's bytes are rows, one per sample, each {@code channels.length}
 * big-endian f64 values: row r is sample {@code fromSample + r * step} and starts at byte {@code r * rowBytes()}.
 * {@code chunkBytes} is a multiple of {@link #rowBytes()}, so no row is split between chunks.
 *
 * <p>{@code scaled} (flag SCALED) says the client also reads scaled chunks: when every channel asked for is stored
 * as a decimal in i16, the server may send each row as {@code channels.length} big-endian i16 {@code k} behind a u8
 * of decimal digits per channel, each value {@code k / 10^digits}, which is exactly the f64 it stands for, in a
 * quarter of the bytes. Offsets, lengths and credit still count f64 rows ({@link #rowBytes()}), so the stream's
 * accounting is the same whichever way a chunk comes; a server that predates the flag ignores it.
 *
 * <p>The record holds whatever a peer sent (the array is owned by the message: callers must not change it); the
 * server checks every rule of docs/protocol.md ("RANGE_STREAM"). The reader refuses only what the fields cannot
 * hold: a sample index at or above 2^63, a window above 2^31-1, no channel.
 */
public record RangeRequest(int requestId, String record, long fromSample, long toSample, int step, int windowBytes,
                           int chunkBytes, int[] channels, boolean scaled) implements OpensStream {
    /** Bytes of one value in a row. */
    public static final int VALUE_BYTES = 8;
    /** Bytes of one value in a scaled row. */
    public static final int SCALED_VALUE_BYTES = 2;

    /** A request for f64 rows only, as every client before flag SCALED sent. */
    public RangeRequest(int requestId, String record, long fromSample, long toSample, int step, int windowBytes,
                        int chunkBytes, int[] channels) {
        this(requestId, record, fromSample, toSample, step, windowBytes, chunkBytes, channels, false);
    }

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

    @Override
    public int scaledRowValues() {
        return scaled ? channels.length : 0;
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
