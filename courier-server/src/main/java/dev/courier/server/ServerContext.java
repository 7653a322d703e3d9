package dev.courier.server;

import dev.courier.server.files.FileService;
import dev.courier.server.points.RecordingStore;
import dev.courier.server.uploads.UploadService;
import java.util.Optional;
import java.util.concurrent.ExecutorService;

/**
 * What every connection of one server shares: its data, its files, its uploads (if on), its blocking executor,
 * its limits, and the drain that a graceful shutdown waits on.
 */
record ServerContext(ServerConfig config, RecordingStore recordings, FileService files,
                     Optional<UploadService> uploads, ExecutorService blocking, Drain drain) {
}
