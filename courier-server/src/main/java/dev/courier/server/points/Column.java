package dev.courier.server.points;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * One channel's samples in a {@link MemorySegment}: a slice of a memory-mapped column file, or a heap array for a
 * recording parsed straight from CSV. Reading a sample allocates nothing. Immutable; safe from any thread.
 *
 * <p>Samples are stored in one of the {@link ColumnFile} encodings, all little-endian: {@code float64} as is, or
 * a decimal scaled to an integer ({@code int16}, {@code int32}) and read back as {@code k / 10^digits}. IEEE
 * division is correctly rounded, so that quotient is the double nearest the decimal, which is exactly what
 * {@code Double.parseDouble} returns for its text; the converter also checks every value bit for bit before it
 * picks a scaled encoding.
 */
final class Column {
    static final ValueLayout.OfDouble FLOAT64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort INT16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment samples;
    private final byte encoding;
    private final double divisor;
    private final int decimalDigits;
    private final int sampleCount;

    /**
     * @param samples       exactly {@code sampleCount} samples in {@code encoding}
     * @param encoding      one of {@link ColumnFile#ENCODING_FLOAT64}, {@link ColumnFile#ENCODING_INT16_DECIMAL},
     *                      {@link ColumnFile#ENCODING_INT32_DECIMAL}
     * @param decimalDigits for the scaled encodings, the k in {@code value = stored / 10^k}; 0 otherwise
     */
    Column(MemorySegment samples, byte encoding, int decimalDigits, int sampleCount) {
        if (samples.byteSize() != (long) sampleCount * ColumnFile.sampleBytes(encoding)) {
            throw new IllegalArgumentException("a column of " + sampleCount + " samples in encoding " + encoding
                    + " takes " + (long) sampleCount * ColumnFile.sampleBytes(encoding) + " bytes, not "
                    + samples.byteSize());
        }
        this.samples = samples;
        this.encoding = encoding;
        this.divisor = Decimals.powerOfTen(decimalDigits);
        this.decimalDigits = decimalDigits;
        this.sampleCount = sampleCount;
    }

    /** A column over {@code values}, taken over, not copied (copied on big-endian hardware). */
    static Column of(double[] values) {
        return of(values, values.length);
    }

    /**
     * A column over the first {@code count} of {@code values}, not copied (copied on big-endian hardware): a live
     * record's snapshot, whose array goes on filling beyond {@code count}.
     */
    static Column of(double[] values, int count) {
        MemorySegment segment;
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            segment = MemorySegment.ofArray(values).asSlice(0, (long) count * Double.BYTES);
        } else {
            segment = MemorySegment.ofArray(new byte[count * Double.BYTES]);
            MemorySegment.copy(values, 0, segment, FLOAT64, 0, count);
        }
        return new Column(segment, ColumnFile.ENCODING_FLOAT64, 0, count);
    }

    int sampleCount() {
        return sampleCount;
    }

    long byteSize() {
        return samples.byteSize();
    }

    byte encoding() {
        return encoding;
    }

    /** Whether the samples are i16 decimals: what a scaled RANGE_STREAM chunk carries as they are. */
    boolean isInt16() {
        return encoding == ColumnFile.ENCODING_INT16_DECIMAL;
    }

    /** For the scaled encodings, the k in {@code value = stored / 10^k}; 0 otherwise. */
    int decimalDigits() {
        return decimalDigits;
    }

    /**
     * Samples {@code first, first + step, ...} ({@code count} of them) as doubles into {@code out[at]},
     * {@code out[at + stride]}, ...: with step 1 one bulk copy of the stored values and one loop that converts them
     * (a division per value, which the JIT vectorises), not a segment read per value. {@code scratch} holds the stored
     * values on the way. Bounds are checked by the segment.
     */
    void read(long first, int step, int count, double[] out, int at, int stride, RangeRows.Scratch scratch) {
        if (step != 1) {
            for (int i = 0, to = at; i < count; i++, to += stride) {
                out[to] = get((int) (first + (long) i * step));
            }
            return;
        }
        switch (encoding) {
            case ColumnFile.ENCODING_INT16_DECIMAL -> {
                short[] k = scratch.storedShorts(count);
                MemorySegment.copy(samples, INT16, first * Short.BYTES, k, 0, count);
                double d = divisor;
                if (stride == 1) {
                    for (int i = 0; i < count; i++) {
                        out[at + i] = k[i] / d;
                    }
                } else {
                    for (int i = 0, to = at; i < count; i++, to += stride) {
                        out[to] = k[i] / d;
                    }
                }
            }
            case ColumnFile.ENCODING_INT32_DECIMAL -> {
                int[] k = scratch.storedInts(count);
                MemorySegment.copy(samples, INT32, first * Integer.BYTES, k, 0, count);
                double d = divisor;
                for (int i = 0, to = at; i < count; i++, to += stride) {
                    out[to] = k[i] / d;
                }
            }
            default -> {
                if (stride == 1) {
                    MemorySegment.copy(samples, FLOAT64, first * Double.BYTES, out, at, count);
                } else {
                    for (int i = 0, to = at; i < count; i++, to += stride) {
                        out[to] = samples.getAtIndex(FLOAT64, first + i);
                    }
                }
            }
        }
    }

    /**
     * The stored i16 values of samples {@code first, first + step, ...} ({@code count} of them) into {@code out[at]},
     * {@code out[at + stride]}, ...; an {@link #isInt16()} column only. Bounds are checked by the segment.
     */
    void readInt16(long first, int step, int count, short[] out, int at, int stride) {
        if (step == 1 && stride == 1) {
            MemorySegment.copy(samples, INT16, first * Short.BYTES, out, at, count);
            return;
        }
        for (int i = 0, to = at; i < count; i++, to += stride) {
            out[to] = samples.getAtIndex(INT16, first + (long) i * step);
        }
    }

    /** Sample {@code index}, 0 to {@code sampleCount - 1}; bounds are checked by the segment. */
    double get(int index) {
        return switch (encoding) {
            case ColumnFile.ENCODING_INT16_DECIMAL -> samples.getAtIndex(INT16, index) / divisor;
            case ColumnFile.ENCODING_INT32_DECIMAL -> samples.getAtIndex(INT32, index) / divisor;
            default -> samples.getAtIndex(FLOAT64, index);
        };
    }
}
