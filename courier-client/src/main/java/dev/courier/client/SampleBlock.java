package dev.courier.client;

/**
 * Consecutive rows of a range read, as one chunk of the stream brought them: row r is sample
 * {@code firstSample + r * step}, and holds a value per channel asked for, in the order asked. Exactly the doubles
 * stored on the server. Immutable once handed out.
 *
 * <p>A block holds its values as the chunk sent them: f64 rows as doubles, scaled rows (flag SCALED) as their i16
 * values and a divisor {@code 10^digits} per channel, each value divided when it is read. That division is the one
 * the decoder would otherwise have done for every value up front (the same IEEE division, so the same double, see
 * {@link RowDecoder}), and it saves a pass over the block and three quarters of its memory: in a fresh client JVM
 * that pass ran in the interpreter for most of a first export, and its arrays were 240 MB of garbage per 15 M
 * samples of two channels (docs/benchmarks.md, "The first export"). Two arrays and a null check rather than two
 * classes, so that {@link #value} stays one small monomorphic method the interpreter calls cheaply.
 */
public final class SampleBlock {
    private final long firstSample;
    private final int step;
    private final int channelCount;
    private final int rows;
    /** f64 rows, row after row; null for scaled rows. */
    private final double[] values;
    /** Scaled rows' i16 values, row after row; null for f64 rows. */
    private final short[] scaled;
    /** With {@link #scaled}: channel c's values are {@code scaled[i] / divisors[c]}. */
    private final double[] divisors;

    private SampleBlock(long firstSample, int step, int channelCount, int valueCount, double[] values,
                        short[] scaled, double[] divisors) {
        this.firstSample = firstSample;
        this.step = step;
        this.channelCount = channelCount;
        this.rows = valueCount / channelCount;
        this.values = values;
        this.scaled = scaled;
        this.divisors = divisors;
    }

    /** f64 rows: {@code values}, row after row, {@code channelCount} to a row. */
    static SampleBlock ofDoubles(long firstSample, int step, int channelCount, double[] values) {
        return new SampleBlock(firstSample, step, channelCount, values.length, values, null, null);
    }

    /** Scaled rows: channel c's value i is {@code scaled[i] / divisors[c]}; {@code divisors} has one per channel. */
    static SampleBlock ofScaled(long firstSample, int step, double[] divisors, short[] scaled) {
        return new SampleBlock(firstSample, step, divisors.length, scaled.length, null, scaled, divisors);
    }

    /** Rows in the block, at least 1. */
    public int rows() {
        return rows;
    }

    /** The sample index of row {@code row}. */
    public long sampleIndex(int row) {
        return firstSample + (long) row * step;
    }

    public int channelCount() {
        return channelCount;
    }

    /** The value in {@code row} of the {@code c}-th channel asked for (from 0). */
    public double value(int row, int c) {
        int i = row * channelCount + c;
        return values != null ? values[i] : scaled[i] / divisors[c];
    }
}
