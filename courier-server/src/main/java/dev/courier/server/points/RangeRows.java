package dev.courier.server.points;

import io.netty.buffer.ByteBuf;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The rows of a checked range read (RANGE_STREAM): samples {@code fromSample, fromSample + step, ...} below
 * {@code toSample} of some channels of one recording, written straight from the columns, so a range of any length
 * costs only the buffer of the chunk being written. Rows go out as big-endian f64 ({@link #write}) or, when every
 * column is an i16 decimal and the client asked for it, scaled: a u8 of decimal digits per channel, then the stored
 * i16 values big-endian ({@link #writeScaled}), a quarter of the bytes. Each chunk is read from the columns in bulk
 * (one copy of a slice per channel, then one loop), not a call per value.
 *
 * <p>Made by {@link RecordingStore#rows}, which checks the range. Immutable; safe from any thread; the
 * {@link Scratch} passed in belongs to the calling thread.
 */
public final class RangeRows {
    private static final ValueLayout.OfDouble F64_BE =
            ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort I16_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final Column[] columns;
    private final long fromSample;
    private final int step;
    private final long rows;
    private final boolean scalable;

    RangeRows(Column[] columns, long fromSample, long toSample, int step) {
        this.columns = columns;
        this.fromSample = fromSample;
        this.step = step;
        this.rows = toSample <= fromSample ? 0 : (toSample - fromSample + step - 1) / step;
        boolean allInt16 = true;
        for (Column c : columns) {
            allInt16 &= c.isInt16();
        }
        this.scalable = allInt16;
    }

    /** Rows in the range. */
    public long rows() {
        return rows;
    }

    /** Bytes of one row: a f64 per channel. */
    public int rowBytes() {
        return columns.length * Double.BYTES;
    }

    /** Whether every column is stored as an i16 decimal, so that rows can go out scaled. */
    public boolean scalable() {
        return scalable;
    }

    /** Bytes of {@code count} scaled rows as a chunk carries them: the digits of each channel, then the values. */
    public int scaledBytes(int count) {
        return columns.length + count * columns.length * Short.BYTES;
    }

    /** As {@link #write(long, int, ByteBuf, Scratch)} with arrays of its own, for a caller that keeps none. */
    public void write(long firstRow, int count, ByteBuf out) {
        write(firstRow, count, out, new Scratch());
    }

    /** Appends rows {@code [firstRow, firstRow + count)} to {@code out} as f64, channel after channel in each row. */
    public void write(long firstRow, int count, ByteBuf out, Scratch scratch) {
        int c = columns.length;
        int values = count * c;
        double[] v = scratch.doubles(values);
        long first = fromSample + firstRow * step;
        for (int ch = 0; ch < c; ch++) {
            columns[ch].read(first, step, count, v, ch, c, scratch);
        }
        int bytes = values * Double.BYTES;
        out.ensureWritable(bytes);
        int at = out.writerIndex();
        MemorySegment.copy(v, 0, MemorySegment.ofBuffer(out.nioBuffer(at, bytes)), F64_BE, 0, values);
        out.writerIndex(at + bytes);
    }

    /**
     * Appends rows {@code [firstRow, firstRow + count)} to {@code out} scaled ({@link #scaledBytes} of them): a u8
     * of decimal digits per channel, then each row's stored i16 values, big-endian. Only when {@link #scalable()}.
     */
    public void writeScaled(long firstRow, int count, ByteBuf out, Scratch scratch) {
        int c = columns.length;
        out.ensureWritable(scaledBytes(count));
        for (Column column : columns) {
            out.writeByte(column.decimalDigits());
        }
        int values = count * c;
        short[] k = scratch.shorts(values);
        long first = fromSample + firstRow * step;
        for (int ch = 0; ch < c; ch++) {
            columns[ch].readInt16(first, step, count, k, ch, c);
        }
        int bytes = values * Short.BYTES;
        int at = out.writerIndex();
        MemorySegment.copy(k, 0, MemorySegment.ofBuffer(out.nioBuffer(at, bytes)), I16_BE, 0, values);
        out.writerIndex(at + bytes);
    }

    /**
     * Arrays reused from chunk to chunk by one thread (a connection's event loop), so that reading columns in bulk
     * allocates only when a chunk is larger than any before it: a 1 MiB chunk holds at most 128 Ki values, 1.4 MiB
     * of arrays in all. Not thread-safe.
     */
    public static final class Scratch {
        private double[] doubles = new double[0];
        private short[] shorts = new short[0];
        private short[] storedShorts = new short[0];
        private int[] storedInts = new int[0];

        double[] doubles(int count) {
            if (doubles.length < count) {
                doubles = new double[count];
            }
            return doubles;
        }

        short[] shorts(int count) {
            if (shorts.length < count) {
                shorts = new short[count];
            }
            return shorts;
        }

        short[] storedShorts(int count) {
            if (storedShorts.length < count) {
                storedShorts = new short[count];
            }
            return storedShorts;
        }

        int[] storedInts(int count) {
            if (storedInts.length < count) {
                storedInts = new int[count];
            }
            return storedInts;
        }
    }
}
