package dev.courier.protocol;

import java.util.List;

/** The entries of a directory, sorted by name. */
public record ListReply(int requestId, List<FileEntry> entries) implements Reply {
    public ListReply {
        entries = List.copyOf(entries);
    }
}
