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
 */
public record DownloadOptions(int connections, int chunkBytes, int readsPerConnection, boolean resume,
                              boolean discard, long stallTimeoutMillis, Backoff backoff, boolean verifyDigest) {
    public static final int DEFAULT_CONNECTIONS = 4;
    public static final int DEFAULT_CHUNK_BYTES = 1 << 20;
    public static final int DEFAULT_READS_PER_CONNECTION = 4;
    public static final long DEFAULT_STALL_TIMEOUT_MILLIS = 60_000;

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
    }

    public static DownloadOptions defaults() {
        return new DownloadOptions(DEFAULT_CONNECTIONS, DEFAULT_CHUNK_BYTES, DEFAULT_READS_PER_CONNECTION, true,
                false, DEFAULT_STALL_TIMEOUT_MILLIS, Backoff.DEFAULT, true);
    }

    public DownloadOptions withConnections(int n) {
        return new DownloadOptions(n, chunkBytes, readsPerConnection, resume, discard, stallTimeoutMillis, backoff,
                verifyDigest);
    }

    public DownloadOptions withChunkBytes(int bytes) {
        return new DownloadOptions(connections, bytes, readsPerConnection, resume, discard, stallTimeoutMillis,
                backoff,
                verifyDigest);
    }

    public DownloadOptions withResume(boolean on) {
        return new DownloadOptions(connections, chunkBytes, readsPerConnection, on, discard, stallTimeoutMillis,
                backoff,
                verifyDigest);
    }

    public DownloadOptions withDiscard(boolean on) {
        return new DownloadOptions(connections, chunkBytes, readsPerConnection, resume, on, stallTimeoutMillis,
                backoff,
                verifyDigest);
    }

    public DownloadOptions withVerifyDigest(boolean on) {
        return new DownloadOptions(connections, chunkBytes, readsPerConnection, resume, discard, stallTimeoutMillis,
                backoff, on);
    }

    public DownloadOptions withBackoff(Backoff b) {
        return new DownloadOptions(connections, chunkBytes, readsPerConnection, resume, discard, stallTimeoutMillis,
                b, verifyDigest);
    }

    public DownloadOptions withStallTimeoutMillis(long millis) {
        return new DownloadOptions(connections, chunkBytes, readsPerConnection, resume, discard, millis, backoff,
                verifyDigest);
    }
}
