package dev.courier.protocol;

import java.util.Objects;

/** Asks for the SHA-256 of a whole file, which the server computes once per file version and caches. */
public record DigestRequest(int requestId, String name) implements Message {
    public DigestRequest {
        Objects.requireNonNull(name, "name");
    }
}
