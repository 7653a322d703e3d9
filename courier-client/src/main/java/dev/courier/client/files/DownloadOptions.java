package dev.courier.client.files;

/**
 * How a download is spread and cut.
 *
 * @param connections         parallel connections (at most one per chunk is used)
 * @param chunkBytes          bytes asked for in one read; capped by the server's announced maximum
 * @param readsPerConnection  reads kept in flight on each connection
 */
public record DownloadOptions(int connections, int chunkBytes, int readsPerConnection) {
    public static final int DEFAULT_CONNECTIONS = 4;
    public static final int DEFAULT_CHUNK_BYTES = 1 << 20;
    public static final int DEFAULT_READS_PER_CONNECTION = 2;

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
    }

    public static DownloadOptions defaults() {
        return new DownloadOptions(DEFAULT_CONNECTIONS, DEFAULT_CHUNK_BYTES, DEFAULT_READS_PER_CONNECTION);
    }

    public DownloadOptions withConnections(int n) {
        return new DownloadOptions(n, chunkBytes, readsPerConnection);
    }

    public DownloadOptions withChunkBytes(int bytes) {
        return new DownloadOptions(connections, bytes, readsPerConnection);
    }
}
