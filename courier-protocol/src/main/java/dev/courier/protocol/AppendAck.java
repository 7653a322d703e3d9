package dev.courier.protocol;

/**
 * APPEND_ACK: the rows of an APPEND are durable (fsync'd) and visible; they are samples
 * {@code [firstSample, firstSample + rows)} of the live record.
 */
public record AppendAck(int requestId, long firstSample, int rows) implements Reply {
}
