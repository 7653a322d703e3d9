package dev.courier.protocol;

import java.util.Objects;

/** A typed error: the code says what went wrong, the message says it to a person. */
public record ErrorReply(int requestId, ErrorCode code, String message) implements Message {
    public ErrorReply {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }
}
