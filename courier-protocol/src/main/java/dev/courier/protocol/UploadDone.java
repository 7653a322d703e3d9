package dev.courier.protocol;

import java.util.Objects;

/** The upload is verified and in place under its final name. */
public record UploadDone(int requestId, long sizeBytes, Sha256 sha256) implements Reply {
    public UploadDone {
        Objects.requireNonNull(sha256, "sha256");
    }
}
