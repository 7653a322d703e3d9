package dev.courier.protocol;

import java.util.Objects;

/**
 * The answer to an {@link EnvelopeRequest}: {@code bucketCount} buckets for each of {@code channelCount} channels
 * (the request's, in its order), each bucket the min, max, first and last value of its samples. {@code values} holds
 * them channel after channel, bucket after bucket: the value {@code v} (0 min, 1 max, 2 first, 3 last) of bucket b of
 * channel c is at {@code (c * bucketCount + b) * 4 + v}. The array is owned by the message.
 */
public record EnvelopeReply(int requestId, int bucketCount, int channelCount, double[] values) implements Reply {
    /** Values per bucket: min, max, first, last. */
    public static final int VALUES_PER_BUCKET = 4;
    public static final int MIN = 0;
    public static final int MAX = 1;
    public static final int FIRST = 2;
    public static final int LAST = 3;

    public EnvelopeReply {
        Objects.requireNonNull(values, "values");
        if ((long) bucketCount * channelCount * VALUES_PER_BUCKET != values.length) {
            throw new IllegalArgumentException(bucketCount + " buckets of " + channelCount + " channels need "
                    + (long) bucketCount * channelCount * VALUES_PER_BUCKET + " values, not " + values.length);
        }
    }

    /** Value {@code which} (MIN, MAX, FIRST, LAST) of bucket {@code bucket} of the request's channel at {@code c}. */
    public double value(int c, int bucket, int which) {
        return values[(c * bucketCount + bucket) * VALUES_PER_BUCKET + which];
    }
}
