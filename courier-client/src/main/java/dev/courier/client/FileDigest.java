package dev.courier.client;

import java.util.Objects;

/**
 * A served file's size, modification time and SHA-256: together they name one version of the file. Immutable.
 *
 * @param sizeBytes      the file's size
 * @param modifiedMillis last modification, in milliseconds since the epoch
 * @param sha256Hex      the SHA-256 of its bytes, 64 lowercase hex digits (as {@code sha256sum} prints it)
 */
public record FileDigest(long sizeBytes, long modifiedMillis, String sha256Hex) {
    public FileDigest {
        Objects.requireNonNull(sha256Hex, "sha256Hex");
        if (sha256Hex.length() != 64) {
            throw new IllegalArgumentException("a SHA-256 is 64 hex digits, not " + sha256Hex.length());
        }
    }
}
