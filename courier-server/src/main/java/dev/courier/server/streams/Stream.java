package dev.courier.server.streams;

import dev.courier.protocol.StreamRequest;
import dev.courier.server.files.StreamSource;
import java.util.ArrayDeque;

/**
 * One open stream of a connection: the range it sends in chunks of {@code chunkBytes}, how far it got, its credit,
 * the source it reads once opened, and the CRC32Cs of the chunks ahead, prepared in batches off the event loop.
 * Confined to the connection's event loop; {@link Streams} drives it.
 */
final class Stream {
    final int id;
    final long endBytes;
    final int chunkBytes;
    /** The size of the version the client asked for: the chunk that reaches it carries LAST. */
    final long fileSizeBytes;
    /** The first byte not sent yet. */
    long nextBytes;
    /** Data bytes the client still lets us send, at most 2^31-1. */
    long creditBytes;
    /** Null while the file is being opened. */
    StreamSource source;
    /** Ended (END or ERROR sent, or the connection gone): its source is released and it sends nothing more. */
    boolean closed;
    /** In the connection's queue of streams that can send. */
    boolean queued;
    /** The end of the CRCs prepared or being prepared. */
    long preparedUntilBytes;
    boolean batchInFlight;
    /** CRC32Cs of the chunks from {@link #nextBytes} on, batch after batch; the head from {@link #crcIndex}. */
    private final ArrayDeque<int[]> crcBatches = new ArrayDeque<>(2);
    private int crcIndex;

    Stream(StreamRequest r) {
        id = r.requestId();
        nextBytes = r.offsetBytes();
        endBytes = r.offsetBytes() + r.lengthBytes();
        chunkBytes = r.chunkBytes();
        fileSizeBytes = r.sizeBytes();
        creditBytes = r.windowBytes();
        preparedUntilBytes = r.offsetBytes();
    }

    /** Data bytes of the next chunk. */
    int nextChunkBytes() {
        return (int) Math.min(chunkBytes, endBytes - nextBytes);
    }

    /** Opened, not ended, with data left, its CRC ready and credit for it. */
    boolean canSend() {
        return !closed && source != null && nextBytes < endBytes && !crcBatches.isEmpty()
                && creditBytes >= nextChunkBytes();
    }

    void addCrcs(int[] batch) {
        if (batch.length > 0) {
            crcBatches.add(batch);
        }
    }

    /** The CRC32C of the next chunk, which the caller then sends. */
    int takeCrc() {
        int[] head = crcBatches.peek();
        int crc = head[crcIndex++];
        if (crcIndex == head.length) {
            crcBatches.poll();
            crcIndex = 0;
        }
        return crc;
    }
}
