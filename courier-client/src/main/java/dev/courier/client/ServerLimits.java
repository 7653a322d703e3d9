package dev.courier.client;

/**
 * What the server announced in its handshake.
 *
 * @param version       protocol version
 * @param maxFrameBytes largest request frame the server accepts
 * @param maxChunkBytes largest read the server serves on this connection
 */
public record ServerLimits(int version, int maxFrameBytes, int maxChunkBytes) {
}
