package dev.courier.protocol;

/** A file's size and modification time (milliseconds since the epoch). */
public record StatReply(int requestId, long sizeBytes, long modifiedMillis) implements Reply {
}
