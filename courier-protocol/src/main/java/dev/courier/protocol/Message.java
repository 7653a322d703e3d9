package dev.courier.protocol;

/**
 * One frame's worth of meaning: a {@link Request} (what a client sends) or a {@link Reply} (what a server sends).
 * HELLO, PING, PONG and ERROR travel both ways and are both. Every message is an immutable record, safe to hand
 * from thread to thread; switches over {@code Request} and {@code Reply} have no {@code default}, so a new type
 * fails to compile wherever it must be handled.
 */
public sealed interface Message permits Request, Reply, BulkMessage {

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
