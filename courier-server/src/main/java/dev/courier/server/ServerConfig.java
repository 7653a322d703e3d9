package dev.courier.server;

import dev.courier.protocol.FrameDescriptor;
import dev.courier.server.limits.ClientLimits;
import dev.courier.server.live.LiveConfig;
import java.net.InetAddress;
import dev.courier.server.tls.TlsFiles;
import dev.courier.server.uploads.SharedUploads;
import dev.courier.server.uploads.UploadLeases;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Everything a {@link CourierServer} needs to start. Immutable and validated on construction; build one with
 * {@link #of} and the {@code with*} methods, or {@link #builder}.
 *
 * @param bindAddress         where to listen; port 0 picks a free port
 * @param dataDir             directory of {@code *.csv} recordings
 * @param filesRoot           directory served read-only to file requests
 * @param ioThreads           event loop threads; 0 for one per core
 * @param maxFrameBytes       largest request frame accepted
 * @param maxChunkBytes       largest chunk of file data sent in one frame
 * @param maxBatchPoints      largest number of points in one batch request
 * @param maxFileOpsInFlight  per connection: file requests being served before the server stops reading more
 * @param legacyPort          the port of the legacy protocol, on the same address as {@code bindAddress}; empty
 *                            means the legacy protocol is off, 0 picks a free port
 * @param legacyMaxChunkBytes the longest chunk one legacy FILE request may ask for; a longer one closes that
 *                            connection (the legacy protocol has no error reply)
 * @param uploadDir           where uploads go; empty means uploads are refused
 * @param pingIntervalMillis  a connection silent this long is sent a PING; 0 turns pings off
 * @param idleTimeoutMillis   a connection that sends nothing (not even a PONG) this long is closed; 0 never
 * @param shutdownGraceMillis on shutdown, how long in-flight requests may take before connections are closed
 * @param reusePort           listen with {@code SO_REUSEPORT}, so several server processes can share one port and
 *                            the kernel spreads new connections over them (native epoll transport only; refused
 *                            at start-up on NIO)
 * @param maxConnections      connections this process holds at once; one more is sent TOO_MANY_CONNECTIONS and
 *                            closed. 0 for no limit
 * @param writeTimeoutMillis  a connection whose client takes none of the bytes waiting for it this long is closed
 *                            at once, on both protocols; 0 never
 * @param legacyMaxConnections connections the legacy port holds at once, apart from {@code maxConnections}; one
 *                            more is closed at once. 0 for no limit
 * @param maxUploadBytes      the largest size an UPLOAD_BEGIN may declare; a larger one is UPLOAD_TOO_LARGE
 * @param uploadMinFreeBytes  free space, on the upload directory's file system, that uploads may not eat into: a
 *                            BEGIN whose remaining bytes, with those still due to the other open uploads, would
 *                            leave less is DISK_FULL
 * @param maxUploadsPerConnection uploads one connection may hold open at once; one more is TOO_MANY_UPLOADS
 * @param maxUploads          uploads the server keeps at once; when every one is held by an open connection, one
 *                            more is TOO_MANY_UPLOADS (an upload whose connection has gone makes room)
 * @param uploadIdleCloseMillis an upload not written for this long has its part file and journal closed until its
 *                            next write; they are closed at once when its connection goes
 * @param uploadExpiryMillis  an upload untouched this long is dropped and its files deleted; part files and journals
 *                            this old found in the upload directory (at start-up and from time to time) too
 * @param maxOpenFiles        files kept open while no request reads them, their descriptors shared by every
 *                            connection (the least recently used beyond this are closed); 0 closes each file as soon
 *                            as its last request is done. Files that requests are reading stay open regardless
 * @param maxStreamsPerConnection streams (READ_STREAM) one connection may hold open at once; one more is
 *                            TOO_MANY_STREAMS
 * @param authFile            the token file ({@code NAME SCOPES SHA256HEX} per line); when present every request but
 *                            PING needs a token with its scope (docs/security.md). Empty: everything is allowed
 * @param limits              limits per client (connections per address, request rate, requests in flight);
 *                            {@link ClientLimits#OFF} by default
 * @param legacyBindAddress   where the legacy protocol listens; empty for the main protocol's address (the
 *                            library's default; {@code courier serve} binds it to loopback unless told otherwise)
 * @param tls                 when present, the main port speaks only TLS 1.3 with these files (the legacy port
 *                            stays plaintext); empty for plaintext
 * @param metrics             where the operations HTTP port listens ({@code /health}, {@code /ready}); port 0 picks a
 *                            free one; empty (the default) for none
 * @param drainDelayMillis    on shutdown, how long the server keeps serving normally after {@code /ready} turns 503,
 *                            so that a load balancer polling it stops sending new clients before the drain; 0 (the
 *                            default) drains at once
 * @param sharedUploads       when present, the upload directory is shared with other nodes and uploads are locked
 *                            across them with leases ({@link UploadLeases}); empty for a node alone on it
 * @param live                when present ({@code --live}), APPEND and SUBSCRIBE are served, live records kept as
 *                            this says; empty: they are LIVE_DISABLED
 */
public record ServerConfig(InetSocketAddress bindAddress, Path dataDir, Path filesRoot, int ioThreads,
                           int maxFrameBytes, int maxChunkBytes, int maxBatchPoints, int maxFileOpsInFlight,
                           OptionalInt legacyPort, int legacyMaxChunkBytes, Optional<Path> uploadDir,
                           long pingIntervalMillis, long idleTimeoutMillis, long shutdownGraceMillis,
                           boolean reusePort, int maxConnections, long writeTimeoutMillis,
                           int legacyMaxConnections, long maxUploadBytes, long uploadMinFreeBytes,
                           int maxUploadsPerConnection, int maxUploads, long uploadIdleCloseMillis,
                           long uploadExpiryMillis, int maxOpenFiles, int maxStreamsPerConnection,
                           Optional<Path> authFile, ClientLimits limits, Optional<InetAddress> legacyBindAddress,
                           Optional<TlsFiles> tls, Optional<InetSocketAddress> metrics, long drainDelayMillis,
                           Optional<SharedUploads> sharedUploads, Optional<LiveConfig> live) {
    public static final int DEFAULT_PORT = 7420;
    /** One default chunk of upload data and its frame overhead fit in one request frame. */
    public static final int DEFAULT_MAX_FRAME_BYTES = (1 << 20) + 64;
    public static final int DEFAULT_MAX_CHUNK_BYTES = 8 << 20;
    public static final int DEFAULT_MAX_BATCH_POINTS = 100_000;
    public static final int DEFAULT_MAX_FILE_OPS_IN_FLIGHT = 32;
    public static final int DEFAULT_LEGACY_MAX_CHUNK_BYTES = 16 << 20;
    public static final long DEFAULT_PING_INTERVAL_MILLIS = 30_000;
    public static final long DEFAULT_IDLE_TIMEOUT_MILLIS = 90_000;
    public static final long DEFAULT_SHUTDOWN_GRACE_MILLIS = 10_000;
    /** nginx's {@code send_timeout}: a client that takes nothing for a minute is not coming back. */
    public static final long DEFAULT_WRITE_TIMEOUT_MILLIS = 60_000;
    /**
     * Each legacy connection holds its socket and at most two open files (the chunks it is sending): 1000 of them
     * take at most 3,000 descriptors, a seventh of the 20,000 a process may open here, and leave the rest to the
     * main protocol. The old server's clients are few; a thousand is far more than they open.
     */
    public static final int DEFAULT_LEGACY_MAX_CONNECTIONS = 1_000;
    /**
     * 16 GiB: well above any recording or data set Courier moves (the benchmarks move 1 GiB), and it bounds what one
     * upload's journal may grow to (2 × 16 GiB / 64 KiB entries of 20 bytes, 10 MiB) and how much one BEGIN can
     * claim of the free space. Raise it for bigger files.
     */
    public static final long DEFAULT_MAX_UPLOAD_BYTES = 16L << 30;
    /** 1 GiB stays free for logs, the system and other services on the same disk, whatever uploads are promised. */
    public static final long DEFAULT_UPLOAD_MIN_FREE_BYTES = 1L << 30;
    /** A client uploads one file per holding connection; 8 leaves room for a few at once on one connection. */
    public static final int DEFAULT_MAX_UPLOADS_PER_CONNECTION = 8;
    /** At most 2 descriptors each: 512 of a process's files, and about 23 MiB of heap at worst. */
    public static final int DEFAULT_MAX_UPLOADS = 256;
    /** A few seconds: longer than any pause between the writes of a running upload. */
    public static final long DEFAULT_UPLOAD_IDLE_CLOSE_MILLIS = 5_000;
    /** A day: a client interrupted overnight still resumes; a full disk frees itself by the next day. */
    public static final long DEFAULT_UPLOAD_EXPIRY_MILLIS = 86_400_000;
    /**
     * A thousand idle descriptors: the hot set of a file server (nginx's {@code open_file_cache} examples use the
     * same), 5% of the 20,000 files a process may open here and about 1% of a typical 65,536 limit, so it never
     * competes with connections; a file beyond it costs only a reopen.
     */
    public static final int DEFAULT_MAX_OPEN_FILES = 1000;
    /**
     * A download uses one stream per connection, a few when it fetches missing ranges; 16 leaves room for that and
     * for clients that stream several files at once, while bounding what one connection holds: 16 file references
     * and 16 batches of CRCs (docs/robustness.md).
     */
    public static final int DEFAULT_MAX_STREAMS_PER_CONNECTION = 16;

    public ServerConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(filesRoot, "filesRoot");
        Objects.requireNonNull(legacyPort, "legacyPort (OptionalInt.empty() turns the legacy protocol off)");
        Objects.requireNonNull(uploadDir, "uploadDir (Optional.empty() turns uploads off)");
        Objects.requireNonNull(authFile, "authFile (Optional.empty() turns authentication off)");
        Objects.requireNonNull(limits, "limits (ClientLimits.OFF for none)");
        Objects.requireNonNull(legacyBindAddress, "legacyBindAddress (Optional.empty() for the main address)");
        Objects.requireNonNull(tls, "tls (Optional.empty() for plaintext)");
        Objects.requireNonNull(metrics, "metrics (Optional.empty() for no operations port)");
        if (drainDelayMillis < 0) {
            throw new IllegalArgumentException("drainDelayMillis must be >= 0: " + drainDelayMillis);
        }
        Objects.requireNonNull(sharedUploads, "sharedUploads (Optional.empty() for a node alone)");
        Objects.requireNonNull(live, "live (Optional.empty() turns live records off)");
        if (ioThreads < 0) {
            throw new IllegalArgumentException("ioThreads must be >= 0: " + ioThreads);
        }
        if (maxFrameBytes < FrameDescriptor.MIN_SERVER_FRAME_BYTES) {
            throw new IllegalArgumentException("maxFrameBytes must be at least " + FrameDescriptor.MIN_SERVER_FRAME_BYTES
                    + " (room for one write of " + FrameDescriptor.MIN_CHUNK_CAP_BYTES + " bytes): " + maxFrameBytes);
        }
        if (maxChunkBytes < FrameDescriptor.MIN_CHUNK_CAP_BYTES
                || maxChunkBytes > Integer.MAX_VALUE - FrameDescriptor.CHUNK_OVERHEAD_BYTES) {
            throw new IllegalArgumentException("maxChunkBytes must be " + FrameDescriptor.MIN_CHUNK_CAP_BYTES + " to "
                    + (Integer.MAX_VALUE - FrameDescriptor.CHUNK_OVERHEAD_BYTES) + " (a client refuses a server "
                    + "whose chunks are smaller than a page): " + maxChunkBytes);
        }
        if (maxBatchPoints < 1 || (long) maxBatchPoints * 8 + 300 > maxFrameBytes) {
            throw new IllegalArgumentException("maxBatchPoints must be positive and fit in a frame: "
                    + maxBatchPoints);
        }
        if (maxFileOpsInFlight < 1) {
            throw new IllegalArgumentException("maxFileOpsInFlight must be positive: " + maxFileOpsInFlight);
        }
        if (legacyPort.isPresent() && (legacyPort.getAsInt() < 0 || legacyPort.getAsInt() > 65535)) {
            throw new IllegalArgumentException("legacyPort must be 0 to 65535: " + legacyPort.getAsInt());
        }
        if (legacyMaxChunkBytes < 1) {
            throw new IllegalArgumentException("legacyMaxChunkBytes must be positive: " + legacyMaxChunkBytes);
        }
        if (pingIntervalMillis < 0 || idleTimeoutMillis < 0 || shutdownGraceMillis < 0) {
            throw new IllegalArgumentException("intervals and timeouts must be >= 0");
        }
        if (maxConnections < 0) {
            throw new IllegalArgumentException("maxConnections must be >= 0 (0 for no limit): " + maxConnections);
        }
        if (writeTimeoutMillis < 0) {
            throw new IllegalArgumentException("writeTimeoutMillis must be >= 0 (0 for never): " + writeTimeoutMillis);
        }
        if (legacyMaxConnections < 0) {
            throw new IllegalArgumentException("legacyMaxConnections must be >= 0 (0 for no limit): "
                    + legacyMaxConnections);
        }
        if (maxOpenFiles < 0) {
            throw new IllegalArgumentException("maxOpenFiles must be >= 0: " + maxOpenFiles);
        }
        if (idleTimeoutMillis > 0 && pingIntervalMillis > 0 && idleTimeoutMillis <= pingIntervalMillis) {
            throw new IllegalArgumentException("the idle timeout (" + idleTimeoutMillis
                    + " ms) must be longer than the ping interval (" + pingIntervalMillis + " ms)");
        }
        if (maxUploadBytes < 1) {
            throw new IllegalArgumentException("maxUploadBytes must be positive: " + maxUploadBytes);
        }
        if (uploadMinFreeBytes < 0) {
            throw new IllegalArgumentException("uploadMinFreeBytes must be >= 0: " + uploadMinFreeBytes);
        }
        if (maxUploadsPerConnection < 1 || maxUploads < 1) {
            throw new IllegalArgumentException("maxUploadsPerConnection and maxUploads must be positive: "
                    + maxUploadsPerConnection + ", " + maxUploads);
        }
        if (maxStreamsPerConnection < 1) {
            throw new IllegalArgumentException("maxStreamsPerConnection must be positive: " + maxStreamsPerConnection);
        }
        if (uploadIdleCloseMillis < 1 || uploadExpiryMillis < 1) {
            throw new IllegalArgumentException("uploadIdleCloseMillis and uploadExpiryMillis must be positive: "
                    + uploadIdleCloseMillis + ", " + uploadExpiryMillis);
        }
    }

    /** Defaults for everything but where to listen and what to serve; legacy protocol and uploads off. */
    public static ServerConfig of(InetSocketAddress bindAddress, Path dataDir, Path filesRoot) {
        return new ServerConfig(bindAddress, dataDir, filesRoot, 0, DEFAULT_MAX_FRAME_BYTES, DEFAULT_MAX_CHUNK_BYTES,
                DEFAULT_MAX_BATCH_POINTS, DEFAULT_MAX_FILE_OPS_IN_FLIGHT, OptionalInt.empty(),
                DEFAULT_LEGACY_MAX_CHUNK_BYTES, Optional.empty(), DEFAULT_PING_INTERVAL_MILLIS,
                DEFAULT_IDLE_TIMEOUT_MILLIS, DEFAULT_SHUTDOWN_GRACE_MILLIS, false, 0, DEFAULT_WRITE_TIMEOUT_MILLIS,
                DEFAULT_LEGACY_MAX_CONNECTIONS, DEFAULT_MAX_UPLOAD_BYTES, DEFAULT_UPLOAD_MIN_FREE_BYTES,
                DEFAULT_MAX_UPLOADS_PER_CONNECTION, DEFAULT_MAX_UPLOADS, DEFAULT_UPLOAD_IDLE_CLOSE_MILLIS,
                DEFAULT_UPLOAD_EXPIRY_MILLIS, DEFAULT_MAX_OPEN_FILES, DEFAULT_MAX_STREAMS_PER_CONNECTION,
                Optional.empty(), ClientLimits.OFF, Optional.empty(), Optional.empty(), Optional.empty(), 0,
                Optional.empty(), Optional.empty());
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public ServerConfig withBindAddress(InetSocketAddress address) {
        return toBuilder().bindAddress(address).build();
    }

    public ServerConfig withMaxChunkBytes(int bytes) {
        return toBuilder().maxChunkBytes(bytes).build();
    }

    /**
     * The legacy protocol on {@code port} (0 picks a free one), on the same address as the main protocol.
     *
     * @param maxLegacyChunkBytes the longest chunk one legacy FILE request may ask for, in bytes
     */
    public ServerConfig withLegacy(int port, int maxLegacyChunkBytes) {
        return toBuilder().legacyPort(OptionalInt.of(port)).legacyMaxChunkBytes(maxLegacyChunkBytes).build();
    }


    /** Uploads accepted into {@code dir}. */
    public ServerConfig withUploadDir(Path dir) {
        return toBuilder().uploadDir(Optional.of(dir)).build();
    }

    /** Tokens required, from {@code tokenFile}. */
    public ServerConfig withAuth(Path tokenFile) {
        return toBuilder().authFile(Optional.of(tokenFile)).build();
    }

    public ServerConfig withLimits(ClientLimits l) {
        return toBuilder().limits(l).build();
    }

    /**
     * The requests one connection may have in flight: the server's {@code maxFileOpsInFlight}, or the client limit
     * when that is set and smaller.
     */
    public int maxRequestsInFlight() {
        int perClient = limits.maxRequestsInFlight();
        return perClient > 0 ? Math.min(perClient, maxFileOpsInFlight) : maxFileOpsInFlight;
    }

    /** The main port speaks only TLS, with these files. */
    public ServerConfig withTls(TlsFiles files) {
        return toBuilder().tls(Optional.of(files)).build();
    }

    /** With the operations HTTP port ({@code /health}, {@code /ready}) on {@code address}; port 0 picks one. */
    public ServerConfig withMetrics(InetSocketAddress address) {
        return toBuilder().metrics(Optional.of(address)).build();
    }

    public ServerConfig withDrainDelayMillis(long millis) {
        return toBuilder().drainDelayMillis(millis).build();
    }

    /** Live records served (APPEND, SUBSCRIBE), kept as {@code l} says. */
    public ServerConfig withLive(LiveConfig l) {
        return toBuilder().live(Optional.of(l)).build();
    }

    public ServerConfig withKeepalive(long pingIntervalMillis, long idleTimeoutMillis) {
        return toBuilder().pingIntervalMillis(pingIntervalMillis).idleTimeoutMillis(idleTimeoutMillis).build();
    }

    /** Collects settings for a {@link ServerConfig}; validation happens in {@link #build()}. Not thread-safe. */
    public static final class Builder {
        private InetSocketAddress bindAddress;
        private Path dataDir;
        private Path filesRoot;
        private int ioThreads;
        private int maxFrameBytes;
        private int maxChunkBytes;
        private int maxBatchPoints;
        private int maxFileOpsInFlight;
        private OptionalInt legacyPort;
        private int legacyMaxChunkBytes;
        private Optional<Path> uploadDir;
        private long pingIntervalMillis;
        private long idleTimeoutMillis;
        private long shutdownGraceMillis;
        private boolean reusePort;
        private int maxConnections;
        private long writeTimeoutMillis;
        private int legacyMaxConnections;
        private long maxUploadBytes;
        private long uploadMinFreeBytes;
        private int maxUploadsPerConnection;
        private int maxUploads;
        private long uploadIdleCloseMillis;
        private long uploadExpiryMillis;
        private int maxOpenFiles;
        private int maxStreamsPerConnection;
        private Optional<Path> authFile;
        private ClientLimits limits;
        private Optional<InetAddress> legacyBindAddress;
        private Optional<TlsFiles> tls;
        private Optional<InetSocketAddress> metrics;
        private long drainDelayMillis;
        private Optional<SharedUploads> sharedUploads;
        private Optional<LiveConfig> live;

        private Builder(ServerConfig c) {
            bindAddress = c.bindAddress;
            dataDir = c.dataDir;
            filesRoot = c.filesRoot;
            ioThreads = c.ioThreads;
            maxFrameBytes = c.maxFrameBytes;
            maxChunkBytes = c.maxChunkBytes;
            maxBatchPoints = c.maxBatchPoints;
            maxFileOpsInFlight = c.maxFileOpsInFlight;
            legacyPort = c.legacyPort;
            legacyMaxChunkBytes = c.legacyMaxChunkBytes;
            uploadDir = c.uploadDir;
            pingIntervalMillis = c.pingIntervalMillis;
            idleTimeoutMillis = c.idleTimeoutMillis;
            shutdownGraceMillis = c.shutdownGraceMillis;
            reusePort = c.reusePort;
            maxConnections = c.maxConnections;
            writeTimeoutMillis = c.writeTimeoutMillis;
            legacyMaxConnections = c.legacyMaxConnections;
            maxUploadBytes = c.maxUploadBytes;
            uploadMinFreeBytes = c.uploadMinFreeBytes;
            maxUploadsPerConnection = c.maxUploadsPerConnection;
            maxUploads = c.maxUploads;
            uploadIdleCloseMillis = c.uploadIdleCloseMillis;
            uploadExpiryMillis = c.uploadExpiryMillis;
            maxOpenFiles = c.maxOpenFiles;
            maxStreamsPerConnection = c.maxStreamsPerConnection;
            authFile = c.authFile;
            limits = c.limits;
            legacyBindAddress = c.legacyBindAddress;
            tls = c.tls;
            metrics = c.metrics;
            drainDelayMillis = c.drainDelayMillis;
            sharedUploads = c.sharedUploads;
            live = c.live;
        }

        public Builder bindAddress(InetSocketAddress v) {
            bindAddress = v;
            return this;
        }

        public Builder dataDir(Path v) {
            dataDir = v;
            return this;
        }

        public Builder filesRoot(Path v) {
            filesRoot = v;
            return this;
        }

        public Builder ioThreads(int v) {
            ioThreads = v;
            return this;
        }

        public Builder maxFrameBytes(int v) {
            maxFrameBytes = v;
            return this;
        }

        public Builder maxChunkBytes(int v) {
            maxChunkBytes = v;
            return this;
        }

        public Builder maxBatchPoints(int v) {
            maxBatchPoints = v;
            return this;
        }

        public Builder maxFileOpsInFlight(int v) {
            maxFileOpsInFlight = v;
            return this;
        }

        public Builder legacyPort(OptionalInt v) {
            legacyPort = v;
            return this;
        }

        public Builder legacyMaxChunkBytes(int v) {
            legacyMaxChunkBytes = v;
            return this;
        }

        public Builder uploadDir(Optional<Path> v) {
            uploadDir = v;
            return this;
        }

        public Builder pingIntervalMillis(long v) {
            pingIntervalMillis = v;
            return this;
        }

        public Builder idleTimeoutMillis(long v) {
            idleTimeoutMillis = v;
            return this;
        }

        public Builder shutdownGraceMillis(long v) {
            shutdownGraceMillis = v;
            return this;
        }

        public Builder reusePort(boolean v) {
            reusePort = v;
            return this;
        }

        public Builder maxConnections(int v) {
            maxConnections = v;
            return this;
        }

        public Builder writeTimeoutMillis(long v) {
            writeTimeoutMillis = v;
            return this;
        }

        public Builder legacyMaxConnections(int v) {
            legacyMaxConnections = v;
            return this;
        }

        public Builder maxUploadBytes(long v) {
            maxUploadBytes = v;
            return this;
        }

        public Builder uploadMinFreeBytes(long v) {
            uploadMinFreeBytes = v;
            return this;
        }

        public Builder maxUploadsPerConnection(int v) {
            maxUploadsPerConnection = v;
            return this;
        }

        public Builder maxUploads(int v) {
            maxUploads = v;
            return this;
        }

        public Builder uploadIdleCloseMillis(long v) {
            uploadIdleCloseMillis = v;
            return this;
        }

        public Builder uploadExpiryMillis(long v) {
            uploadExpiryMillis = v;
            return this;
        }

        public Builder maxOpenFiles(int v) {
            maxOpenFiles = v;
            return this;
        }

        public Builder maxStreamsPerConnection(int v) {
            maxStreamsPerConnection = v;
            return this;
        }

        public Builder authFile(Optional<Path> v) {
            authFile = v;
            return this;
        }

        public Builder limits(ClientLimits v) {
            limits = v;
            return this;
        }

        public Builder legacyBindAddress(Optional<InetAddress> v) {
            legacyBindAddress = v;
            return this;
        }

        public Builder tls(Optional<TlsFiles> v) {
            tls = v;
            return this;
        }

        public Builder metrics(Optional<InetSocketAddress> v) {
            metrics = v;
            return this;
        }

        public Builder drainDelayMillis(long v) {
            drainDelayMillis = v;
            return this;
        }

        public Builder sharedUploads(Optional<SharedUploads> v) {
            sharedUploads = v;
            return this;
        }

        public Builder live(Optional<LiveConfig> v) {
            live = v;
            return this;
        }

        public ServerConfig build() {
            return new ServerConfig(bindAddress, dataDir, filesRoot, ioThreads, maxFrameBytes, maxChunkBytes,
                    maxBatchPoints, maxFileOpsInFlight, legacyPort, legacyMaxChunkBytes, uploadDir,
                    pingIntervalMillis, idleTimeoutMillis, shutdownGraceMillis, reusePort, maxConnections,
                    writeTimeoutMillis, legacyMaxConnections, maxUploadBytes, uploadMinFreeBytes,
                    maxUploadsPerConnection, maxUploads, uploadIdleCloseMillis, uploadExpiryMillis, maxOpenFiles,
                    maxStreamsPerConnection, authFile, limits, legacyBindAddress,
                    tls, metrics, drainDelayMillis, sharedUploads, live);
        }
    }
}
