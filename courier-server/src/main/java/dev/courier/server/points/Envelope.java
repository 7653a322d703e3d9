package dev.courier.server.points;

import dev.courier.protocol.EnvelopeReply;
import dev.courier.protocol.EnvelopeRequest;

/**
 * The min/max/first/last envelope (M4) of some channels over a range, in buckets laid out as
 * {@link EnvelopeRequest} says: one pass over each column, reading the samples where they are stored and keeping four
 * doubles per bucket, so the cost is the range's samples read once and the answer's size, never the range
 * materialised. Stateless.
 */
final class Envelope {
    private Envelope() {
    }

    /** The envelope of {@code columns} over {@code [from, to)} in {@code bucketCount} buckets (at most to - from). */
    static double[] compute(Column[] columns, long from, long to, int bucketCount) {
        double[] values = new double[columns.length * bucketCount * EnvelopeReply.VALUES_PER_BUCKET];
        int at = 0;
        for (Column c : columns) {
            for (int b = 0; b < bucketCount; b++) {
                int start = (int) EnvelopeRequest.bucketStart(from, to, bucketCount, b);
                int end = (int) EnvelopeRequest.bucketStart(from, to, bucketCount, b + 1);
                double first = c.get(start);
                double min = first;
                double max = first;
                double last = first;
                for (int i = start + 1; i < end; i++) {
                    last = c.get(i);
                    // Math.min/max: a NaN cannot be stored (the loader refuses it), and -0.0 sorts below 0.0.
                    min = Math.min(min, last);
                    max = Math.max(max, last);
                }
                values[at + EnvelopeReply.MIN] = min;
                values[at + EnvelopeReply.MAX] = max;
                values[at + EnvelopeReply.FIRST] = first;
                values[at + EnvelopeReply.LAST] = last;
                at += EnvelopeReply.VALUES_PER_BUCKET;
            }
        }
        return values;
    }
}
