package dev.courier.client;

import dev.courier.protocol.ErrorCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Turns a range chunk's data into the doubles of its rows, in bulk: f64 rows by one copy of the block (byte order
 * swapped by the copy), scaled rows (flag SCALED: a u8 of decimal digits per channel, then big-endian i16 values) by
 * one copy of the i16 block and one loop of divisions {@code k / 10^digits}. IEEE division rounds correctly and
 * {@code 10^digits} is exact up to 22 digits, so each value is the double nearest the decimal, which is what
 * {@code Double.parseDouble} returns for its text and what the server holds: the same bits either way. No check per
 * value; the shape of the data (whole rows, digits in range) is checked once per chunk. Stateless; safe from any
 * thread.
 */
final class RowDecoder {
    private static final ValueLayout.OfDouble F64_BE =
            ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort I16_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** The powers of ten a double holds exactly: 10^0 to 10^22. */
    private static final double[] POWERS_OF_TEN = {
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
            1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

    private RowDecoder() {
    }

    /**
     * The values of f64 rows of {@code channels} values each, row after row.
     *
     * @throws CourierException BAD_REPLY when the data is not whole rows
     */
    static double[] f64(ByteBuf data, int channels) {
        int n = data.readableBytes();
        int rowBytes = channels * Double.BYTES;
        if (n % rowBytes != 0) {
            throw new CourierException(ErrorCode.BAD_REPLY, "a chunk of " + n + " bytes is not whole rows of "
                    + rowBytes);
        }
        double[] values = new double[n / Double.BYTES];
        MemorySegment.copy(segment(data, data.readerIndex(), n), F64_BE, 0, values, 0, values.length);
        return values;
    }

    /**
     * The values of a scaled chunk of rows of {@code channels} values each, row after row; its shape (the digits
     * and whole rows) was checked by the connection ({@code ReplyRules.scaledChunkBytes}).
     *
     * @throws CourierException BAD_REPLY for a channel's digits above 22
     */
    static double[] scaled(ByteBuf data, int channels) {
        int at = data.readerIndex();
        double[] divisors = new double[channels];
        boolean oneDivisor = true;
        for (int c = 0; c < channels; c++) {
            int digits = data.getUnsignedByte(at + c);
            if (digits >= POWERS_OF_TEN.length) {
                throw new CourierException(ErrorCode.BAD_REPLY, "a scaled chunk gives channel " + (c + 1) + " "
                        + digits + " decimal digits; at most " + (POWERS_OF_TEN.length - 1) + " are exact");
            }
            divisors[c] = POWERS_OF_TEN[digits];
            oneDivisor &= divisors[c] == divisors[0];
        }
        int valueCount = (data.readableBytes() - channels) / Short.BYTES;
        short[] k = new short[valueCount];
        MemorySegment.copy(segment(data, at + channels, valueCount * Short.BYTES), I16_BE, 0, k, 0, valueCount);
        double[] values = new double[valueCount];
        if (oneDivisor) {
            double d = divisors[0];
            for (int i = 0; i < valueCount; i++) {
                values[i] = k[i] / d; // one loop over the block, vectorised by the JIT
            }
        } else {
            for (int i = 0; i < valueCount; i++) {
                values[i] = k[i] / divisors[i % channels];
            }
        }
        return values;
    }

    /** Bytes {@code [index, index + length)} of {@code data} as a segment, copied only if it spans buffers. */
    private static MemorySegment segment(ByteBuf data, int index, int length) {
        ByteBuffer nio = data.nioBufferCount() == 1 ? data.nioBuffer(index, length)
                : ByteBuffer.wrap(ByteBufUtil.getBytes(data, index, length));
        return MemorySegment.ofBuffer(nio);
    }
}
