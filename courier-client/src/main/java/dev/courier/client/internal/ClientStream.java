package dev.courier.client.internal;

import dev.courier.client.CourierException;
import dev.courier.protocol.ChunkReply;

/**
 * One READ_STREAM as its client sees it: where the next chunk must start, the credit the server still has, the
 * credit consumed but not yet granted back, and whether it was cancelled. {@link ClientHandler} keeps one per open
 * stream and checks every chunk against it ({@link ReplyRules#streamChunk}) before the stream's
 * {@link StreamListener} sees it.
 *
 * <p>Credit: the stream starts with its request's window. A chunk's data bytes are taken from the credit when it
 * arrives; when the listener's owner has consumed them (written them to the part file) it gives them back through
 * {@link #consumed}, which collects them into WINDOW increments of at least a quarter of the window, so the server
 * gets one WINDOW per few chunks, not one per chunk, and never waits on a round trip while a quarter remains.
 *
 * <p>A range's scaled chunk (flag SCALED) counts as the f64 rows its values stand for, in offsets and credit alike.
 *
 * <p>Confined to the connection's event loop. Units: bytes; times from {@link System#nanoTime()}.
 */
final class ClientStream {
    private final int id;
    private final StreamListener listener;
    private final long endOffsetBytes;
    private final long fileSizeBytes;
    private final int chunkBytes;
    private final int grantThresholdBytes;
    /** A live subscription's chunks carry the rows there are: any may be short. */
    private final boolean shortChunks;
    /** Values per row of a range that may come scaled; 0 when no chunk may. */
    private final int scaledRowValues;
    private long nextOffsetBytes;
    private long creditBytes;
    private long consumedBytes;
    private boolean cancelled;
    private long lastHeardNanos;

    ClientStream(int id, StreamListener listener, long offsetBytes, long lengthBytes, int windowBytes,
                 int chunkBytes, long fileSizeBytes, boolean shortChunks, int scaledRowValues, long nowNanos) {
        this.shortChunks = shortChunks;
        this.scaledRowValues = scaledRowValues;
        this.id = id;
        this.listener = listener;
        this.nextOffsetBytes = offsetBytes;
        this.endOffsetBytes = offsetBytes + lengthBytes;
        this.creditBytes = windowBytes;
        this.chunkBytes = chunkBytes;
        this.fileSizeBytes = fileSizeBytes;
        this.grantThresholdBytes = grantThresholdBytes(windowBytes);
        this.lastHeardNanos = nowNanos;
    }

    /** The least consumed credit sent as one WINDOW, for a stream of {@code windowBytes}: a quarter of it. */
    static int grantThresholdBytes(int windowBytes) {
        return Math.max(1, windowBytes / 4);
    }

    int id() {
        return id;
    }

    StreamListener listener() {
        return listener;
    }

    /**
     * Checks {@code c} against the stream and, when it keeps the rules, advances past it.
     *
     * @return null when it keeps the rules; otherwise the rule it broke, for a person
     */
    String accept(ChunkReply c, long nowNanos) {
        int n = c.scaled() ? ReplyRules.scaledChunkBytes(c, scaledRowValues) : c.data().readableBytes();
        if (n < 0) {
            return "stream " + Integer.toUnsignedString(id) + ": CHUNK at " + Long.toUnsignedString(c.offsetBytes())
                    + " has flag SCALED, but " + (scaledRowValues == 0 ? "the stream did not ask for scaled rows"
                    : "its " + c.data().readableBytes() + " bytes are not " + scaledRowValues
                    + " digits and whole rows of " + scaledRowValues + " i16");
        }
        String problem = ReplyRules.streamChunk(c, n, nextOffsetBytes, endOffsetBytes, chunkBytes, creditBytes,
                fileSizeBytes, cancelled, shortChunks);
        if (problem == null) {
            nextOffsetBytes += n;
            creditBytes -= n;
            lastHeardNanos = nowNanos;
        }
        return problem;
    }

    /**
     * The listener's owner consumed {@code bytes} of the stream's data.
     *
     * @return the WINDOW increment to send now, or 0 to wait for more
     */
    int consumed(int bytes) {
        consumedBytes += bytes;
        if (cancelled || consumedBytes < grantThresholdBytes) {
            return 0;
        }
        int increment = (int) consumedBytes;
        consumedBytes = 0;
        creditBytes += increment;
        return increment;
    }

    /** The client sent CANCEL: an empty END may come at any offset now. */
    void cancel() {
        cancelled = true;
    }

    /**
     * Whether the server has been silent on this stream past {@code timeoutNanos} while it had credit to send with
     * (a stream without credit waits for the client, and its silence is right).
     */
    boolean silentPast(long timeoutNanos, long nowNanos) {
        // A live subscription is silent while nothing is appended: that is no fault of the server's.
        return !shortChunks && (creditBytes > 0 || cancelled) && nowNanos - lastHeardNanos > timeoutNanos;
    }

    /** Where the next chunk must start: everything before it was delivered. */
    long nextOffsetBytes() {
        return nextOffsetBytes;
    }

    /** Tells the listener the stream failed. */
    void fail(CourierException e) {
        listener.failed(e);
    }
}
