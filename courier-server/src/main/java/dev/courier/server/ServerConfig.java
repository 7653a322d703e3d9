package dev.courier.server;

import dev.courier.protocol.FrameDescriptor;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Everything a {@link CourierServer} needs to start. Immutable and validated on construction.
 *
 * @param bindAddress         where to listen; port 0 picks a free port
 * @param dataDir             directory of {@code *.csv} recordings
 * @param filesRoot           directory served read-only to file requests
 * @param ioThreads           event loop threads; 0 for Netty's default (twice the cores)
 * @param maxFrameBytes       largest request frame accepted
 * @param maxChunkBytes       largest chunk of file data sent in one frame
 * @param maxBatchPoints      largest number of points in one batch request
 * @param maxFileOpsInFlight  per connection: file requests being served before the server stops reading more
 * @param legacyPort          the port of the legacy protocol, on the same address as {@code bindAddress}; empty
 *                            means the legacy protocol is off, 0 picks a free port
 * @param legacyMaxChunkBytes the longest chunk one legacy FILE request may ask for; a longer one closes that
 *                            connection (the legacy protocol has no error reply)
 */
public record ServerConfig(InetSocketAddress bindAddress, Path dataDir, Path filesRoot, int ioThreads,
                           int maxFrameBytes, int maxChunkBytes, int maxBatchPoints, int maxFileOpsInFlight,
                           OptionalInt legacyPort, int legacyMaxChunkBytes) {
    public static final int DEFAULT_PORT = 7420;
    public static final int DEFAULT_MAX_FRAME_BYTES = 1 << 20;
    public static final int DEFAULT_MAX_CHUNK_BYTES = 8 << 20;
    public static final int DEFAULT_MAX_BATCH_POINTS = 100_000;
    public static final int DEFAULT_MAX_FILE_OPS_IN_FLIGHT = 32;
    public static final int DEFAULT_LEGACY_MAX_CHUNK_BYTES = 16 << 20;

    public ServerConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(filesRoot, "filesRoot");
        if (ioThreads < 0) {
            throw new IllegalArgumentException("ioThreads must be >= 0: " + ioThreads);
        }
        if (maxFrameBytes < 64) {
            throw new IllegalArgumentException("maxFrameBytes must be at least 64: " + maxFrameBytes);
        }
        if (maxChunkBytes < 1 || maxChunkBytes > Integer.MAX_VALUE - FrameDescriptor.CHUNK_OVERHEAD_BYTES) {
            throw new IllegalArgumentException("maxChunkBytes out of range: " + maxChunkBytes);
        }
        if (maxBatchPoints < 1 || (long) maxBatchPoints * 8 + 300 > maxFrameBytes) {
            throw new IllegalArgumentException("maxBatchPoints must be positive and fit in a frame: "
                    + maxBatchPoints);
        }
        if (maxFileOpsInFlight < 1) {
            throw new IllegalArgumentException("maxFileOpsInFlight must be positive: " + maxFileOpsInFlight);
        }
        Objects.requireNonNull(legacyPort, "legacyPort (OptionalInt.empty() turns the legacy protocol off)");
        if (legacyPort.isPresent() && (legacyPort.getAsInt() < 0 || legacyPort.getAsInt() > 65535)) {
            throw new IllegalArgumentException("legacyPort must be 0 to 65535: " + legacyPort.getAsInt());
        }
        if (legacyMaxChunkBytes < 1) {
            throw new IllegalArgumentException("legacyMaxChunkBytes must be positive: " + legacyMaxChunkBytes);
        }
    }

    /** The legacy protocol off; otherwise as the canonical constructor. */
    public ServerConfig(InetSocketAddress bindAddress, Path dataDir, Path filesRoot, int ioThreads, int maxFrameBytes,
                        int maxChunkBytes, int maxBatchPoints, int maxFileOpsInFlight) {
        this(bindAddress, dataDir, filesRoot, ioThreads, maxFrameBytes, maxChunkBytes, maxBatchPoints,
                maxFileOpsInFlight, OptionalInt.empty(), DEFAULT_LEGACY_MAX_CHUNK_BYTES);
    }

    /** Defaults for everything but where to listen and what to serve; the legacy protocol is off. */
    public static ServerConfig of(InetSocketAddress bindAddress, Path dataDir, Path filesRoot) {
        return new ServerConfig(bindAddress, dataDir, filesRoot, 0, DEFAULT_MAX_FRAME_BYTES, DEFAULT_MAX_CHUNK_BYTES,
                DEFAULT_MAX_BATCH_POINTS, DEFAULT_MAX_FILE_OPS_IN_FLIGHT);
    }

    public ServerConfig withBindAddress(InetSocketAddress address) {
        return new ServerConfig(address, dataDir, filesRoot, ioThreads, maxFrameBytes, maxChunkBytes, maxBatchPoints,
                maxFileOpsInFlight, legacyPort, legacyMaxChunkBytes);
    }

    public ServerConfig withMaxChunkBytes(int bytes) {
        return new ServerConfig(bindAddress, dataDir, filesRoot, ioThreads, maxFrameBytes, bytes, maxBatchPoints,
                maxFileOpsInFlight, legacyPort, legacyMaxChunkBytes);
    }

    /**
     * The legacy protocol on {@code port} (0 picks a free one), on the same address as the main protocol.
     *
     * @param maxLegacyChunkBytes the longest chunk one legacy FILE request may ask for, in bytes
     */
    public ServerConfig withLegacy(int port, int maxLegacyChunkBytes) {
        return new ServerConfig(bindAddress, dataDir, filesRoot, ioThreads, maxFrameBytes, maxChunkBytes,
                maxBatchPoints, maxFileOpsInFlight, OptionalInt.of(port), maxLegacyChunkBytes);
    }
}
