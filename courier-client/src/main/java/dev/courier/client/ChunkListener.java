package dev.courier.client;

/**
 * Told about every chunk of a download as its reply arrives, before it is checked and written: for per-chunk
 * timing (the load tool's latency percentiles). Called on the connections' I/O threads (a discarded stream's chunks
 * are stored there) or on a stream's consumer thread, so implementations must be thread-safe and must not block.
 */
@FunctionalInterface
public interface ChunkListener {
    ChunkListener NONE = (offsetBytes, lengthBytes, latencyNanos) -> { };

    /**
     * @param offsetBytes  where the chunk starts in the file
     * @param lengthBytes  bytes it carries
     * @param latencyNanos time from sending its read request to its reply arriving, in nanoseconds
     */
    void received(long offsetBytes, int lengthBytes, long latencyNanos);
}
