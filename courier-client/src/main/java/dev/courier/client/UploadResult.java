package dev.courier.client;

/**
 * A finished upload, verified by the server and in place under its final name.
 *
 * @param name         the name on the server
 * @param sizeBytes    its size
 * @param sha256Hex    its SHA-256, checked by the server, in 64 lowercase hex digits
 * @param elapsedNanos wall time, hashing the local file included
 * @param resumedBytes bytes the server already held from an interrupted attempt
 * @param sentBytes    bytes sent this time, including writes sent again after a failure
 */
public record UploadResult(String name, long sizeBytes, String sha256Hex, long elapsedNanos, long resumedBytes,
                           long sentBytes) {
    public double seconds() {
        return elapsedNanos / 1e9;
    }

    public double megabytesPerSecond() {
        return elapsedNanos == 0 ? 0 : sizeBytes / 1e6 / seconds();
    }
}
