package dev.courier.protocol;

import java.util.Objects;

/** One entry of a directory listing. Directories report size 0. */
public record FileEntry(String name, boolean directory, long sizeBytes, long modifiedMillis) {
    public FileEntry {
        Objects.requireNonNull(name, "name");
    }
}
