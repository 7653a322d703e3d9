package dev.courier.client;

/**
 * A served file's size and modification time. Immutable.
 *
 * @param sizeBytes      the file's size
 * @param modifiedMillis last modification, in milliseconds since the epoch
 */
public record FileStat(long sizeBytes, long modifiedMillis) {
}
