package dev.courier.protocol;

import java.util.Objects;

/**
 * READ_STREAM: asks the server to push {@code lengthBytes} of a file from {@code offsetBytes} as a stream of CHUNK
 * frames, each of {@code chunkBytes} of data (the final one may carry fewer), within a credit of
 * {@code windowBytes} data bytes that {@link WindowUpdate} extends. The request id names the stream for its whole
 * life; {@link CancelStream} stops it early. {@code sizeBytes} and {@code modifiedMillis} are the file version the
 * client expects: a file that is not that version gets FILE_CHANGED and no chunk.
 *
 * <p>The record holds whatever a peer sent; the server checks every rule of docs/protocol.md ("READ_STREAM") against
 * its own limits. The reader refuses only values the fields cannot hold: a u64 at or above 2^63, a window above
 * 2^31-1.
 *
 * <p>{@code refetch} (flag {@link FrameDescriptor#FLAG_REFETCH}) says the range is asked for again because the copy
 * received failed its CRC32C: the stream is the same, the server only counts its chunks.
 */
public record StreamRequest(int requestId, String name, long offsetBytes, long lengthBytes, int windowBytes,
                            int chunkBytes, long sizeBytes, long modifiedMillis, boolean refetch)
        implements OpensStream {
    public StreamRequest {
        Objects.requireNonNull(name, "name");
    }

    /** A first stream of the range. */
    public StreamRequest(int requestId, String name, long offsetBytes, long lengthBytes, int windowBytes,
                         int chunkBytes, long sizeBytes, long modifiedMillis) {
        this(requestId, name, offsetBytes, lengthBytes, windowBytes, chunkBytes, sizeBytes, modifiedMillis, false);
    }
}
