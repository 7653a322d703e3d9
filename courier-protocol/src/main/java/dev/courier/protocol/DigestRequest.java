package dev.courier.protocol;

import java.util.Objects;

/**
 * Asks for the SHA-256 of a whole file, which the server computes once per file version and caches.
 *
 * @param recompute ignore any cached digest and hash the file afresh (flag {@link FrameDescriptor#FLAG_RECOMPUTE}):
 *                  what a client asks after the bytes it received did not match the digest it was given, in case
 *                  the cached one is stale
 */
public record DigestRequest(int requestId, String name, boolean recompute) implements Request {
    public DigestRequest {
        Objects.requireNonNull(name, "name");
    }

    /** A plain DIGEST: a cached digest of the file's current version will do. */
    public DigestRequest(int requestId, String name) {
        this(requestId, name, false);
    }
}
