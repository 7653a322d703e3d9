package dev.courier.client.files;

import java.nio.file.Path;

/**
 * A finished download.
 *
 * @param path        where the file now is, under its final name
 * @param sizeBytes   its size
 * @param elapsedNanos wall time from the first request to the rename
 * @param connections connections used
 * @param chunkBytes  chunk size used (after the server's cap)
 */
public record DownloadResult(Path path, long sizeBytes, long elapsedNanos, int connections, int chunkBytes) {
    public double seconds() {
        return elapsedNanos / 1e9;
    }

    /** Megabytes (10^6 bytes) per second. */
    public double megabytesPerSecond() {
        return elapsedNanos == 0 ? 0 : sizeBytes / 1e6 / seconds();
    }
}
