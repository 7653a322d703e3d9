package dev.courier.protocol;

import java.util.Objects;

/**
 * The answers to a {@link PointBatchRequest}, in request order. The three arrays have the same length and are
 * owned by the message: callers must not change them.
 */
public record PointBatchReply(int requestId, int[] sampleIndexes, double[] sampleTimesSeconds, double[] values)
        implements Reply {
    public PointBatchReply {
        Objects.requireNonNull(sampleIndexes, "sampleIndexes");
        Objects.requireNonNull(sampleTimesSeconds, "sampleTimesSeconds");
        Objects.requireNonNull(values, "values");
        if (sampleIndexes.length != values.length || sampleTimesSeconds.length != values.length) {
            throw new IllegalArgumentException("arrays differ in length");
        }
    }

    public int size() {
        return values.length;
    }
}
