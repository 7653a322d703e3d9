package dev.courier.load;

/**
 * The ranges the range benchmark asks for, the same for every target: key {@code k} is record {@code k mod R} and a
 * start row spread over the record by a mix of {@code k}, the range {@code spanSamples} rows from there; and the check
 * of an answer, value by value against the data set read from the CSV files. Immutable; safe from any thread.
 */
final class RangeSpans {
    private final PointData data;
    private final int channel;
    private final int spanSamples;

    /**
     * @param data        every row of every record ({@link PointData#load} with all rows)
     * @param channel     the channel asked for, numbered from 1
     * @param spanSeconds length of a range, seconds: rows at the first record's rate, at least 1 and at most a
     *                    record's
     */
    RangeSpans(PointData data, int channel, double spanSeconds) {
        int spanSamples = (int) Math.round(spanSeconds / (data.timeSeconds(0, 1) - data.timeSeconds(0, 0)));
        if (spanSamples < 1 || spanSamples > data.samplesPerRecord()) {
            throw new IllegalArgumentException("a span of " + spanSamples + " samples does not fit records of "
                    + data.samplesPerRecord());
        }
        for (int r = 0; r < data.recordCount(); r++) {
            if (channel < 1 || channel > data.channels(r)) {
                throw new IllegalArgumentException("record " + data.records().get(r) + " has channels 1 to "
                        + data.channels(r) + ", not " + channel);
            }
            if (data.sampleIndex(r, data.samplesPerRecord() - 1) != data.samplesPerRecord() - 1) {
                throw new IllegalArgumentException("ranges need every row of the data set (--rows 0)");
            }
        }
        this.data = data;
        this.channel = channel;
        this.spanSamples = spanSamples;
    }

    int channel() {
        return channel;
    }

    int spanSamples() {
        return spanSamples;
    }

    String record(long key) {
        return data.records().get(recordIndex(key));
    }

    int recordIndex(long key) {
        return (int) (key % data.recordCount());
    }

    /** The first row of key {@code key}'s range: a SplitMix64 mix of the key, so starts do not walk in step. */
    int fromSample(long key) {
        long z = key * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (int) Long.remainderUnsigned(z, data.samplesPerRecord() - spanSamples + 1);
    }

    /** Null when {@code value} is row {@code from + i}'s value of key {@code key}'s record; otherwise what differs. */
    String check(long key, int i, double value) {
        int r = recordIndex(key);
        int row = fromSample(key) + i;
        double expected = data.value(r, channel, row);
        return Double.doubleToRawLongBits(expected) == Double.doubleToRawLongBits(value) ? null
                : "record " + data.records().get(r) + " sample " + row + ": expected " + expected + ", got " + value;
    }

    PointData data() {
        return data;
    }
}
