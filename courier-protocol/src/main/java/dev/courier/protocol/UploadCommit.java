package dev.courier.protocol;

import java.util.Objects;
import java.util.Optional;

/**
 * Every byte is sent: verify the whole file and put it under its final name.
 *
 * @param sha256 the whole file's SHA-256, when the client announces it here rather than in UPLOAD_BEGIN (it hashed
 *               the file while sending it); the server then checks the file against this one, and what the BEGIN
 *               carried only named the upload. Empty: the BEGIN's SHA-256 is the one to check
 */
public record UploadCommit(int requestId, long uploadId, Optional<Sha256> sha256) implements Request {
    public UploadCommit {
        Objects.requireNonNull(sha256, "sha256");
    }

    /** A COMMIT checked against the SHA-256 of the upload's BEGIN. */
    public UploadCommit(int requestId, long uploadId) {
        this(requestId, uploadId, Optional.empty());
    }
}
