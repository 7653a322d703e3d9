package dev.courier.protocol;

import java.util.List;

/**
 * The answer to a {@link RecordsRequest}: {@code totalRecords} on the server, and the entries from the request's
 * start index on, as many as fit in one frame (none when the start index is at or past the total).
 */
public record RecordsReply(int requestId, int totalRecords, List<RecordEntry> records) implements Reply {
    public RecordsReply {
        records = List.copyOf(records);
    }
}
