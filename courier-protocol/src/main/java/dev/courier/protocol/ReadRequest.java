package dev.courier.protocol;

import java.util.Objects;

/** Asks for up to {@code lengthBytes} of a file starting at {@code offsetBytes}. */
public record ReadRequest(int requestId, String name, long offsetBytes, int lengthBytes) implements Request {
    public ReadRequest {
        Objects.requireNonNull(name, "name");
    }
}
