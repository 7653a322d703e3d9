package dev.courier.protocol;

/**
 * The value of one sample, with its index in the recording and its exact time in seconds.
 */
public record PointReply(int requestId, double value, int sampleIndex, double sampleTimeSeconds) implements Reply {
}
