package dev.courier.protocol;

/**
 * RECORDS: asks which records the server holds, from the {@code startIndex}-th on (0 for the first) in the server's
 * order (by id, numerically where ids are numbers). The answer holds as many as fit in one frame; a client asks again
 * from where it stopped until it has {@link RecordsReply#totalRecords()}.
 */
public record RecordsRequest(int requestId, int startIndex) implements Request {
}
