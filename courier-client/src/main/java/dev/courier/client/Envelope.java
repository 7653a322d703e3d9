package dev.courier.client;

import dev.courier.protocol.EnvelopeReply;
import dev.courier.protocol.EnvelopeRequest;

/**
 * The min/max/first/last envelope of a range, as ENVELOPE answers it: for each channel asked for, {@link #buckets()}
 * buckets over samples {@code [fromSample, toSample)}, bucket b covering samples {@code [bucketStart(b),
 * bucketStart(b + 1))}. Keeps every peak of the range however few buckets. Immutable.
 */
public final class Envelope {
    private final long fromSample;
    private final long toSample;
    private final int[] channels;
    private final EnvelopeReply reply;

    Envelope(long fromSample, long toSample, int[] channels, EnvelopeReply reply) {
        this.fromSample = fromSample;
        this.toSample = toSample;
        this.channels = channels.clone();
        this.reply = reply;
    }

    public int buckets() {
        return reply.bucketCount();
    }

    /** The channel numbers asked for, in order; {@code c} in the accessors indexes this. */
    public int[] channels() {
        return channels.clone();
    }

    /** The first sample of bucket {@code b}; {@code bucketStart(buckets())} is the range's end. */
    public long bucketStart(int b) {
        return EnvelopeRequest.bucketStart(fromSample, toSample, reply.bucketCount(), b);
    }

    public double min(int c, int b) {
        return reply.value(c, b, EnvelopeReply.MIN);
    }

    public double max(int c, int b) {
        return reply.value(c, b, EnvelopeReply.MAX);
    }

    public double first(int c, int b) {
        return reply.value(c, b, EnvelopeReply.FIRST);
    }

    public double last(int c, int b) {
        return reply.value(c, b, EnvelopeReply.LAST);
    }
}
