package dev.courier.protocol;

/**
 * The handshake, sent by the client as its first frame and answered in kind by the server.
 *
 * @param version       protocol version the sender speaks
 * @param maxFrameBytes the largest frame length the sender accepts
 * @param maxChunkBytes the largest chunk of file data the sender will send or accept in one CHUNK
 */
public record Hello(int requestId, int version, int maxFrameBytes, int maxChunkBytes) implements Request, Reply {
    public Hello {
        if (maxFrameBytes < FrameDescriptor.MIN_FRAME_LENGTH || maxChunkBytes < 1) {
            throw new IllegalArgumentException("limits must be positive: " + maxFrameBytes + ", " + maxChunkBytes);
        }
    }
}
