package dev.courier.server.streams;

import dev.courier.protocol.RangeRequest;
import dev.courier.protocol.StreamRequest;
import dev.courier.server.files.StreamSource;
import dev.courier.server.points.RangeRows;
import java.util.ArrayDeque;

/**
 * One open stream of a connection: the range it sends in chunks of {@code chunkBytes}, how far it got, its credit,
 * and what its bytes are: a file (READ_STREAM), read from the source once opened with the CRC32Cs of the chunks ahead
 * prepared in batches off the event loop; or a record's samples (RANGE_STREAM), whose rows are written into each
 * chunk on the event loop, straight from the columns. Confined to the connection's event loop; {@link Streams}
 * drives it.
 */
final class Stream {
    final int id;
    /** The file's name or the record's id, for the access log. */
    final String name;
    /** When it was opened, {@link System#nanoTime()}, for the access log. */
    final long startNanos = System.nanoTime();
    /** Where it started, so the bytes it sent are {@code nextBytes - startBytes}. */
    final long startBytes;
    final long endBytes;
    final int chunkBytes;
    /** The size of the version the client asked for: the chunk that reaches it carries LAST. */
    final long fileSizeBytes;
    /** Flagged REFETCH: its chunks are counted as re-fetched. */
    final boolean refetch;
    /** The rows of a RANGE_STREAM; null for a file's stream. */
    final RangeRows rows;
    /** A RANGE_STREAM whose chunks go out scaled (flag SCALED): the client asked, and every column is i16. */
    final boolean scaled;
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
        this(r.requestId(), r.name(), r.offsetBytes(), r.lengthBytes(), r.chunkBytes(), r.sizeBytes(), r.windowBytes(),
                r.refetch(), null, false);
    }

    Stream(RangeRequest r, RangeRows rows) {
        this(r.requestId(), r.record(), 0, rows.rows() * rows.rowBytes(), r.chunkBytes(), rows.rows() * rows.rowBytes(),
                r.windowBytes(), false, rows, r.scaled() && rows.scalable());
    }

    private Stream(int id, String name, long offsetBytes, long lengthBytes, int chunkBytes, long sizeBytes,
                   int windowBytes, boolean refetch, RangeRows rows, boolean scaled) {
        this.id = id;
        this.name = name;
        startBytes = offsetBytes;
        nextBytes = offsetBytes;
        endBytes = offsetBytes + lengthBytes;
        this.chunkBytes = chunkBytes;
        fileSizeBytes = sizeBytes;
        creditBytes = windowBytes;
        preparedUntilBytes = offsetBytes;
        this.refetch = refetch;
        this.rows = rows;
        this.scaled = scaled;
    }

    /** Data bytes of the next chunk. */
    int nextChunkBytes() {
        return (int) Math.min(chunkBytes, endBytes - nextBytes);
    }

    /** Not ended, with data left and credit for it; a file's stream also opened, with its CRC ready. */
    boolean canSend() {
        return !closed && nextBytes < endBytes && creditBytes >= nextChunkBytes()
                && (rows != null || (source != null && !crcBatches.isEmpty()));
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
