package dev.courier.client;

import java.util.Objects;

/**
 * The samples answering a batch of times on one record and channel, in the order the times were asked. The three
 * arrays have one entry per time asked for; they belong to the batch and must not be changed (they are not copied,
 * since a batch holds up to the server's limit of points).
 *
 * @param sampleIndexes      each sample's index in the recording, from 0
 * @param sampleTimesSeconds each sample's exact time, in seconds from the start of the recording
 * @param values             each sample's value
 */
public record PointBatch(int[] sampleIndexes, double[] sampleTimesSeconds, double[] values) {
    public PointBatch {
        Objects.requireNonNull(sampleIndexes, "sampleIndexes");
        Objects.requireNonNull(sampleTimesSeconds, "sampleTimesSeconds");
        Objects.requireNonNull(values, "values");
        if (sampleIndexes.length != values.length || sampleTimesSeconds.length != values.length) {
            throw new IllegalArgumentException("arrays differ in length");
        }
    }

    /** Points in the batch. */
    public int size() {
        return values.length;
    }
}
