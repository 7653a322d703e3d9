package dev.courier.server;

import dev.courier.server.auth.Authenticator;
import dev.courier.server.files.FileService;
import dev.courier.server.limits.RateLimiter;
import dev.courier.server.ops.ServerMetrics;
import dev.courier.server.live.LiveStore;
import dev.courier.server.points.RecordingStore;
import dev.courier.server.tls.ServerTls;
import dev.courier.server.uploads.UploadService;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * What every connection of one server shares: its data, its files, its uploads (if on), its blocking executor,
 * its limits, the drain that a graceful shutdown waits on, its tokens (with {@code --auth}), its clients' rate
 * buckets (with a rate limit), its TLS (if on), its metrics (with the operations port) and its live records (with
 * {@code --live}).
 */
record ServerContext(ServerConfig config, RecordingStore recordings, FileService files,
                     Optional<UploadService> uploads, ExecutorService blocking, Drain drain,
                     Optional<Authenticator> auth, Optional<RateLimiter> rates, Optional<ServerTls> tls,
                     Optional<ServerMetrics> metrics, Optional<LiveStore> live) {
    /** Without tokens, rate limits or TLS. */
    ServerContext(ServerConfig config, RecordingStore recordings, FileService files, Optional<UploadService> uploads,
                  ExecutorService blocking, Drain drain) {
        this(config, recordings, files, uploads, blocking, drain, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty());
    }
}
