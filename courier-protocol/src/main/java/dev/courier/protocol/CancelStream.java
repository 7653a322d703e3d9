package dev.courier.protocol;

/**
 * CANCEL: stops the open stream named by {@code requestId}, which ends with one empty CHUNK flagged END at the offset
 * where it stopped. Ignored for an id with no open stream. The frame has no payload.
 */
public record CancelStream(int requestId) implements Request {
}
