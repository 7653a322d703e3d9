package dev.courier.protocol;

/**
 * What a server sends a client: the answers to requests, and the four frames that travel both ways (HELLO in
 * answer, PING, PONG and ERROR). A client needs to handle only these, so its switch over them has no case it cannot
 * answer.
 */
public sealed interface Reply extends Message
        permits Hello, Ping, Pong, ErrorReply, PointReply, PointBatchReply, ListReply, StatReply, ChunkReply,
        DigestReply, UploadReady, UploadAck, UploadDone {
}
