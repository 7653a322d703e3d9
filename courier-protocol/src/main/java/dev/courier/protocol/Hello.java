package dev.courier.protocol;

import java.util.Objects;
import java.util.Optional;

/**
 * The handshake, sent by the client as its first frame and answered in kind by the server.
 *
 * @param version       protocol version the sender speaks
 * @param maxFrameBytes the largest frame length the sender accepts
 * @param maxChunkBytes the largest chunk of file data the sender will send or accept in one CHUNK
 * @param token         the client's bearer token, for a server started with {@code --auth}; empty for none. A
 *                      server's HELLO never carries one. {@link Secret} keeps it out of {@link #toString()}
 */
public record Hello(int requestId, int version, int maxFrameBytes, int maxChunkBytes, Optional<Secret> token)
        implements Request, Reply {
    public Hello {
        if (maxFrameBytes < FrameDescriptor.MIN_FRAME_LENGTH || maxChunkBytes < 1) {
            throw new IllegalArgumentException("limits must be positive: " + maxFrameBytes + ", " + maxChunkBytes);
        }
        Objects.requireNonNull(token, "token (Optional.empty() for none)");
    }

    /** A HELLO without a token: every server's, and a client's for a server without {@code --auth}. */
    public Hello(int requestId, int version, int maxFrameBytes, int maxChunkBytes) {
        this(requestId, version, maxFrameBytes, maxChunkBytes, Optional.empty());
    }

    /** This HELLO with {@code token} appended. */
    public Hello withToken(Secret token) {
        return new Hello(requestId, version, maxFrameBytes, maxChunkBytes, Optional.of(token));
    }
}
