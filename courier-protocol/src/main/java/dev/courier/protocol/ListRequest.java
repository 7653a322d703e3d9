package dev.courier.protocol;

import java.util.Objects;

/** Lists a directory under the served root; the empty path is the root itself. */
public record ListRequest(int requestId, String path) implements Request {
    public ListRequest {
        Objects.requireNonNull(path, "path");
    }
}
