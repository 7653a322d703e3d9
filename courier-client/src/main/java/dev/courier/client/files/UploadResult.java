package dev.courier.client.files;

import dev.courier.protocol.Sha256;

/**
 * A finished upload, verified by the server and in place under its final name.
 *
 * @param name         the name on the server
 * @param sizeBytes    its size
 * @param sha256       its SHA-256, checked by the server
 * @param elapsedNanos wall time, hashing the local file included
 * @param resumedBytes bytes the server already held from an interrupted attempt
 * @param sentBytes    bytes sent this time, including writes sent again after a failure
 */
public record UploadResult(String name, long sizeBytes, Sha256 sha256, long elapsedNanos, long resumedBytes,
                           long sentBytes) {
    public double seconds() {
        return elapsedNanos / 1e9;
    }

    public double megabytesPerSecond() {
        return elapsedNanos == 0 ? 0 : sizeBytes / 1e6 / seconds();
    }
}
