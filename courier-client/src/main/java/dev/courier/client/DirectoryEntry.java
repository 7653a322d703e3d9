package dev.courier.client;

import java.util.Objects;

/**
 * One entry of a directory the server serves. Immutable.
 *
 * @param name           the entry's name inside its directory, as the server sent it (print it escaped: it is the
 *                       server's text)
 * @param directory      true for a directory, false for a file
 * @param sizeBytes      a file's size; 0 for a directory
 * @param modifiedMillis last modification, in milliseconds since the epoch
 */
public record DirectoryEntry(String name, boolean directory, long sizeBytes, long modifiedMillis) {
    public DirectoryEntry {
        Objects.requireNonNull(name, "name");
    }
}
