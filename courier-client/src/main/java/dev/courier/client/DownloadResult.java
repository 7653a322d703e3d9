package dev.courier.client;

import java.nio.file.Path;

/**
 * A finished, verified download.
 *
 * @param path         where the file now is, under its final name; null when the bytes were discarded
 * @param sizeBytes    its size
 * @param sha256Hex    its SHA-256, equal to the server's, in 64 lowercase hex digits
 * @param elapsedNanos wall time from the first request to the rename
 * @param connections  connections used
 * @param chunkBytes   chunk size used (after the server's cap)
 * @param resumedBytes bytes that were already in place from an interrupted attempt
 * @param fetchedBytes bytes received this time, including chunks fetched again after a failure
 * @param retries      chunks fetched again (damaged in flight, or lost with their connection)
 * @param finalSyncNanos how long the sync of the complete file before its rename took (part of
 *                     {@code elapsedNanos}); 0 when the bytes were discarded. Most of the file is synced in the
 *                     background while it arrives, so this stays short.
 */
public record DownloadResult(Path path, long sizeBytes, String sha256Hex, long elapsedNanos, int connections,
                             int chunkBytes, long resumedBytes, long fetchedBytes, long retries,
                             long finalSyncNanos) {
    public double seconds() {
        return elapsedNanos / 1e9;
    }

    /** {@link #finalSyncNanos} in milliseconds. */
    public double finalSyncMillis() {
        return finalSyncNanos / 1e6;
    }

    /** Megabytes (10^6 bytes) per second over the whole file. */
    public double megabytesPerSecond() {
        return elapsedNanos == 0 ? 0 : sizeBytes / 1e6 / seconds();
    }
}
