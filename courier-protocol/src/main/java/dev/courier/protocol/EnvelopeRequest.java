package dev.courier.protocol;

import java.util.Objects;

/**
 * ENVELOPE: asks for the min/max/first/last envelope of {@code record}'s {@code channels} over samples
 * {@code [fromSample, toSample)}, in {@code buckets} buckets (fewer when the range has fewer samples): bucket b of
 * n = toSample - fromSample samples in k = min(buckets, n) buckets covers samples
 * {@code [fromSample + floor(b * n / k), fromSample + floor((b + 1) * n / k))}. The array is owned by the message.
 */
public record EnvelopeRequest(int requestId, String record, long fromSample, long toSample, int buckets,
                              int[] channels) implements Request {
    public EnvelopeRequest {
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(channels, "channels");
    }

    /** Buckets the answer holds: min(buckets, samples in the range), 0 for an empty range. */
    public static int bucketCount(long fromSample, long toSample, int buckets) {
        return (int) Math.max(0, Math.min(Integer.toUnsignedLong(buckets), toSample - fromSample));
    }

    /**
     * The first sample of bucket {@code b} (0 to {@code bucketCount}; {@code bucketCount} gives {@code toSample}) of
     * {@code bucketCount} over {@code [fromSample, toSample)}; ranges of up to 2^31 samples and 2^31 buckets.
     */
    public static long bucketStart(long fromSample, long toSample, int bucketCount, int b) {
        return fromSample + (toSample - fromSample) * b / bucketCount;
    }
}
