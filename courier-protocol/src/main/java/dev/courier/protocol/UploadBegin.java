package dev.courier.protocol;

import java.util.Objects;

/**
 * Starts (or resumes) an upload of {@code sizeBytes} bytes whose SHA-256 will be {@code sha256}, to {@code name}
 * under the server's upload directory.
 */
public record UploadBegin(int requestId, String name, long sizeBytes, Sha256 sha256) implements Request {
    public UploadBegin {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(sha256, "sha256");
    }
}
