package dev.courier.protocol;

/**
 * One frame's worth of meaning. Every message is an immutable record; switches over this sealed interface
 * have no {@code default}, so a new type fails to compile wherever it must be handled.
 */
public sealed interface Message
        permits Hello, Ping, Pong, ErrorReply, PointRequest, PointReply, PointBatchRequest, PointBatchReply,
        ListRequest, ListReply, StatRequest, StatReply, ReadRequest, ChunkReply {

    /** The id that pairs a reply with its request; 0 for connection-level frames. */
    int requestId();
}
