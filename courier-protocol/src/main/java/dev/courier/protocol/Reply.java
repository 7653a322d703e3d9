package dev.courier.protocol;

/**
 * What a server sends a client: the answers to requests, and the four frames that travel both ways (HELLO in
 * answer, PING, PONG and ERROR). A client reads only these ({@link MessageReader#readReply}): a request type sent to
 * it is refused as {@link ErrorCode#UNKNOWN_TYPE}, so the client's switch over its replies has no case it cannot
 * answer.
 */
public sealed interface Reply extends Message
        permits Hello, Ping, Pong, ErrorReply, PointReply, PointBatchReply, ListReply, StatReply, ChunkReply,
        DigestReply, UploadReady, UploadAck, UploadDone, RecordsReply, EnvelopeReply, AppendAck {
}
