package dev.courier.server.points;

import io.netty.buffer.ByteBuf;

/**
 * The rows of a checked range read (RANGE_STREAM): samples {@code fromSample, fromSample + step, ...} below
 * {@code toSample} of some channels of one recording, written as big-endian f64 straight from the columns, so a
 * range of any length costs only the buffer of the chunk being written. Made by {@link RecordingStore#rows}, which
 * checks the range. Immutable; safe from any thread.
 */
public final class RangeRows {
    private final Column[] columns;
    private final long fromSample;
    private final int step;
    private final long rows;

    RangeRows(Column[] columns, long fromSample, long toSample, int step) {
        this.columns = columns;
        this.fromSample = fromSample;
        this.step = step;
        this.rows = toSample <= fromSample ? 0 : (toSample - fromSample + step - 1) / step;
    }

    /** Rows in the range. */
    public long rows() {
        return rows;
    }

    /** Bytes of one row: a f64 per channel. */
    public int rowBytes() {
        return columns.length * Double.BYTES;
    }

    /** Appends rows {@code [firstRow, firstRow + count)} to {@code out}, channel after channel in each row. */
    public void write(long firstRow, int count, ByteBuf out) {
        out.ensureWritable(count * rowBytes());
        long sample = fromSample + firstRow * step;
        for (int r = 0; r < count; r++, sample += step) {
            int index = (int) sample;
            for (Column c : columns) {
                out.writeDouble(c.get(index));
            }
        }
    }
}
