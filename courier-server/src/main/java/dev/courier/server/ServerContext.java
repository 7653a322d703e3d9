package dev.courier.server;

import dev.courier.server.files.FileService;
import dev.courier.server.points.RecordingStore;
import dev.courier.server.tls.ServerTls;
import dev.courier.server.uploads.UploadService;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * What every connection of one server shares: its data, its files, its uploads (if on), its blocking executor,
 * its limits, the drain that a graceful shutdown waits on, and its TLS (if on).
 */
record ServerContext(ServerConfig config, RecordingStore recordings, FileService files,
                     Optional<UploadService> uploads, ExecutorService blocking, Drain drain,
                     Optional<ServerTls> tls) {
    /** Without TLS. */
    ServerContext(ServerConfig config, RecordingStore recordings, FileService files, Optional<UploadService> uploads,
                  ExecutorService blocking, Drain drain) {
        this(config, recordings, files, uploads, blocking, drain, Optional.empty());
    }
}
