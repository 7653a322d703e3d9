package dev.courier.protocol;

import java.util.Objects;

/** A file's size, modification time and SHA-256: together they name one version of the file. */
public record DigestReply(int requestId, long sizeBytes, long modifiedMillis, Sha256 sha256) implements Reply {
    public DigestReply {
        Objects.requireNonNull(sha256, "sha256");
    }
}
