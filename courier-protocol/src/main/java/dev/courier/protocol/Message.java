package dev.courier.protocol;

/**
 * One frame's worth of meaning. Every message is an immutable record; switches over this sealed interface
 * have no {@code default}, so a new type fails to compile wherever it must be handled.
 */
public sealed interface Message
        permits Hello, Ping, Pong, ErrorReply, PointRequest, PointReply, PointBatchRequest, PointBatchReply,
        ListRequest, ListReply, StatRequest, StatReply, ReadRequest, BulkMessage, DigestRequest, DigestReply,
        UploadBegin, UploadReady, UploadAck, UploadCommit, UploadDone {

    /** The id that pairs a reply with its request; 0 for connection-level frames. */
    int requestId();

    /**
     * Releases the data buffer of a message that carries one (CHUNK, UPLOAD_WRITE); does nothing for the others.
     * Whoever receives a decoded message and does not pass it on calls this once.
     *
     * @return true when a buffer was released to its pool
     */
    default boolean release() {
        return false;
    }
}
