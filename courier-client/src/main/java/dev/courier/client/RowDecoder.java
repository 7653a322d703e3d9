package dev.courier.client;

import dev.courier.protocol.ErrorCode;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Turns a range chunk's data into a {@link SampleBlock}, in bulk: f64 rows by one copy of the block into doubles
 * (byte order swapped by the copy), scaled rows (flag SCALED: a u8 of decimal digits per channel, then big-endian
 * i16 values) by one copy of the i16 block into shorts and a divisor {@code 10^digits} per channel, by which the
 * block divides each value when it is read. IEEE division rounds correctly and {@code 10^digits} is exact up to 22
 * digits, so each value is the double nearest the decimal, which is what {@code Double.parseDouble} returns for its
 * text and what the server holds: the same bits either way. Both copies are the JDK's native bulk copies, fast
 * before the JIT has compiled anything, which is what a fresh client JVM's first export runs on. No check per
 * value; the shape of the data (whole rows, digits in range) is checked once per chunk. The data comes as a
 * {@link ByteBuffer} (the one the CRC32C was computed over), so one class reaches these methods whatever
 * {@code ByteBuf} the chunk arrived in. Stateless; safe from any thread.
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
     * The block of f64 rows of {@code channels} values each, row after row, in {@code data} from its position to its
     * limit (neither moved); row r is sample {@code firstSample + r * step}.
     *
     * @throws CourierException BAD_REPLY when the data is not whole rows
     */
    static SampleBlock f64(ByteBuffer data, int channels, long firstSample, int step) {
        int n = data.remaining();
        int rowBytes = channels * Double.BYTES;
        if (n % rowBytes != 0) {
            throw new CourierException(ErrorCode.BAD_REPLY, "a chunk of " + n + " bytes is not whole rows of "
                    + rowBytes);
        }
        double[] values = new double[n / Double.BYTES];
        MemorySegment.copy(MemorySegment.ofBuffer(data), F64_BE, 0, values, 0, values.length);
        return SampleBlock.ofDoubles(firstSample, step, channels, values);
    }

    /**
     * The block of a scaled chunk of rows of {@code channels} values each, row after row, in {@code data} from its
     * position to its limit (neither moved); row r is sample {@code firstSample + r * step}. Its shape (the digits
     * and whole rows) was checked by the connection ({@code ReplyRules.scaledChunkBytes}).
     *
     * @throws CourierException BAD_REPLY for a channel's digits above 22
     */
    static SampleBlock scaled(ByteBuffer data, int channels, long firstSample, int step) {
        int at = data.position();
        double[] divisors = new double[channels];
        for (int c = 0; c < channels; c++) {
            int digits = Byte.toUnsignedInt(data.get(at + c));
            if (digits >= POWERS_OF_TEN.length) {
                throw new CourierException(ErrorCode.BAD_REPLY, "a scaled chunk gives channel " + (c + 1) + " "
                        + digits + " decimal digits; at most " + (POWERS_OF_TEN.length - 1) + " are exact");
            }
            divisors[c] = POWERS_OF_TEN[digits];
        }
        short[] k = new short[(data.remaining() - channels) / Short.BYTES];
        MemorySegment.copy(MemorySegment.ofBuffer(data), I16_BE, channels, k, 0, k.length);
        return SampleBlock.ofScaled(firstSample, step, divisors, k);
    }
}
