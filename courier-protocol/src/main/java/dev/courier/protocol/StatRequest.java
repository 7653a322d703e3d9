package dev.courier.protocol;

import java.util.Objects;

/** Asks for the size and modification time of a file under the served root. */
public record StatRequest(int requestId, String name) implements Request {
    public StatRequest {
        Objects.requireNonNull(name, "name");
    }
}
