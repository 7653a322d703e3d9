package dev.courier.client;

/**
 * Consecutive rows of a range read, as one chunk of the stream brought them: row r is sample
 * {@code firstSample + r * step}, and holds a value per channel asked for, in the order asked. Exactly the doubles
 * stored on the server. Immutable once handed out.
 */
public final class SampleBlock {
    private final long firstSample;
    private final int step;
    private final int channelCount;
    private final double[] values;

    SampleBlock(long firstSample, int step, int channelCount, double[] values) {
        this.firstSample = firstSample;
        this.step = step;
        this.channelCount = channelCount;
        this.values = values;
    }

    /** Rows in the block, at least 1. */
    public int rows() {
        return values.length / channelCount;
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
        return values[row * channelCount + c];
    }
}
