package dev.courier.client;

import java.util.Objects;

/**
 * How a download is spread, cut and kept.
 *
 * @param connections        parallel connections (at most one per chunk is used)
 * @param chunkBytes         bytes asked for in one read; capped by the server's announced maximum
 * @param readsPerConnection reads kept in flight on each connection
 * @param resume             continue from an interrupted attempt's journal (otherwise start over)
 * @param discard            verify and throw the bytes away: no file is written
 * @param stallTimeoutMillis give up when no chunk has arrived for this long (reconnecting all the while)
 * @param backoff            waits between reconnection attempts
 * @param verifyDigest       check the whole file's SHA-256 too (always wanted; off only to measure the transfer
 *                           without it, since one core hashes about 1.7 GB/s and no faster); every chunk's CRC32C
 *                           is checked either way
 * @param stream             read with READ_STREAM when the server knows it (per-chunk READs otherwise, and with
 *                           a server that answers UNKNOWN_TYPE)
 * @param streamWindowBytes  each stream's credit: data bytes the server may send ahead of what was written
 * @param streamPieceBytes   bytes one stream asks for at most; the lanes take pieces lowest first, so pieces
 *                           smaller than the file stripe it over the connections (never fewer pieces than
 *                           connections). 0: the file split evenly, one contiguous share per connection
 * @param rateLimitBytesPerSecond bytes per second the download takes in at most, over all its connections (a token
 *                           bucket on what is stored: a stream's credit is given back, and a READ sent, no faster);
 *                           0 for no limit. Keep chunks well below a second's worth, so each wait stays short of
 *                           the stall timeout
 */
public record DownloadOptions(int connections, int chunkBytes, int readsPerConnection, boolean resume,
                              boolean discard, long stallTimeoutMillis, Backoff backoff, boolean verifyDigest,
                              boolean stream, int streamWindowBytes, long streamPieceBytes,
                              long rateLimitBytesPerSecond) {
    public static final int DEFAULT_CONNECTIONS = 4;
    public static final int DEFAULT_CHUNK_BYTES = 1 << 20;
    public static final int DEFAULT_READS_PER_CONNECTION = 4;
    public static final long DEFAULT_STALL_TIMEOUT_MILLIS = 60_000;
    /** Whether downloads stream by default (a server that predates streams is read chunk by chunk anyway). */
    public static final boolean DEFAULT_STREAM = true;
    /** A stream's credit: a few chunks, so the server never waits for a WINDOW while the disk keeps up. */
    public static final int DEFAULT_STREAM_WINDOW_BYTES = 8 << 20;
    /** A stream's piece: stripes of this size keep every connection near the hashing point. */
    public static final long DEFAULT_STREAM_PIECE_BYTES = 32L << 20;

    public DownloadOptions {
        if (connections < 1 || connections > 1024) {
            throw new IllegalArgumentException("connections must be 1 to 1024: " + connections);
        }
        if (chunkBytes < 1) {
            throw new IllegalArgumentException("chunk size must be positive: " + chunkBytes);
        }
        if (readsPerConnection < 1) {
            throw new IllegalArgumentException("reads per connection must be positive: " + readsPerConnection);
        }
        if (stallTimeoutMillis < 1) {
            throw new IllegalArgumentException("stall timeout must be positive: " + stallTimeoutMillis);
        }
        Objects.requireNonNull(backoff, "backoff");
        if (streamWindowBytes < 1) {
            throw new IllegalArgumentException("stream window must be positive: " + streamWindowBytes);
        }
        if (streamPieceBytes < 0) {
            throw new IllegalArgumentException("stream piece must be positive, or 0 for even shares: "
                    + streamPieceBytes);
        }
        if (rateLimitBytesPerSecond < 0) {
            throw new IllegalArgumentException("rate limit must be positive, or 0 for none: "
                    + rateLimitBytesPerSecond);
        }
    }

    public static DownloadOptions defaults() {
        return new DownloadOptions(DEFAULT_CONNECTIONS, DEFAULT_CHUNK_BYTES, DEFAULT_READS_PER_CONNECTION, true,
                false, DEFAULT_STALL_TIMEOUT_MILLIS, Backoff.DEFAULT, true, DEFAULT_STREAM, DEFAULT_STREAM_WINDOW_BYTES,
                DEFAULT_STREAM_PIECE_BYTES, 0);
    }

    public DownloadOptions withConnections(int n) {
        return new DownloadOptions(n, chunkBytes, readsPerConnection, resume, discard, stallTimeoutMillis, backoff,
                verifyDigest, stream, streamWindowBytes, streamPieceBytes, rateLimitBytesPerSecond);
    }

    public DownloadOptions withChunkBytes(int bytes) {
        return new DownloadOptions(connections, bytes, readsPerConnection, resume, discard, stallTimeoutMillis,
                backoff, verifyDigest, stream, streamWindowBytes, streamPieceBytes, rateLimitBytesPerSecond);
    }

    public DownloadOptions withReadsPerConnection(int n) {
        return new DownloadOptions(connections, chunkBytes, n, resume, discard, stallTimeoutMillis, backoff,
                verifyDigest, stream, streamWindowBytes, streamPieceBytes, rateLimitBytesPerSecond);
    }

    public DownloadOptions withResume(boolean on) {
        return new DownloadOptions(connections, chunkBytes, readsPerConnection, on, discard, stallTimeoutMillis,
                backoff, verifyDigest, stream, streamWindowBytes, streamPieceBytes, rateLimitBytesPerSecond);
    }

    public DownloadOptions withDiscard(boolean on) {
        return new DownloadOptions(connections, chunkBytes, readsPerConnection, resume, on, stallTimeoutMillis,
                backoff, verifyDigest, stream, streamWindowBytes, streamPieceBytes, rateLimitBytesPerSecond);
    }

    public DownloadOptions withVerifyDigest(boolean on) {
        return new DownloadOptions(connections, chunkBytes, readsPerConnection, resume, discard, stallTimeoutMillis,
                backoff, on, stream, streamWindowBytes, streamPieceBytes, rateLimitBytesPerSecond);
    }

    public DownloadOptions withBackoff(Backoff b) {
        return new DownloadOptions(connections, chunkBytes, readsPerConnection, resume, discard, stallTimeoutMillis,
                b, verifyDigest, stream, streamWindowBytes, streamPieceBytes, rateLimitBytesPerSecond);
    }

    public DownloadOptions withStallTimeoutMillis(long millis) {
        return new DownloadOptions(connections, chunkBytes, readsPerConnection, resume, discard, millis, backoff,
                verifyDigest, stream, streamWindowBytes, streamPieceBytes, rateLimitBytesPerSecond);
    }

    /** Whether to read with READ_STREAM when the server knows it. */
    public DownloadOptions withStream(boolean on) {
        return new DownloadOptions(connections, chunkBytes, readsPerConnection, resume, discard, stallTimeoutMillis,
                backoff, verifyDigest, on, streamWindowBytes, streamPieceBytes, rateLimitBytesPerSecond);
    }

    public DownloadOptions withStreamWindowBytes(int bytes) {
        return new DownloadOptions(connections, chunkBytes, readsPerConnection, resume, discard, stallTimeoutMillis,
                backoff, verifyDigest, stream, bytes, streamPieceBytes, rateLimitBytesPerSecond);
    }

    public DownloadOptions withStreamPieceBytes(long bytes) {
        return new DownloadOptions(connections, chunkBytes, readsPerConnection, resume, discard, stallTimeoutMillis,
                backoff, verifyDigest, stream, streamWindowBytes, bytes, rateLimitBytesPerSecond);
    }

    /** At most {@code bytesPerSecond} over the whole download; 0 for no limit. */
    public DownloadOptions withRateLimitBytesPerSecond(long bytesPerSecond) {
        return new DownloadOptions(connections, chunkBytes, readsPerConnection, resume, discard, stallTimeoutMillis,
                backoff, verifyDigest, stream, streamWindowBytes, streamPieceBytes, bytesPerSecond);
    }
}
