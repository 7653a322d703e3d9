package dev.courier.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A bearer token as it travels in a client's HELLO: 1 to {@link #MAX_BYTES} bytes of UTF-8. A record so that two
 * tokens compare by value, but its {@link #toString()} never shows the value, so a token in a {@link Hello}, a
 * configuration or a log line prints as {@code Secret[hidden]}. Only {@link #value()} gives it out; the server
 * hashes it at once and keeps the hash. Immutable.
 *
 * @param value the token's text (Courier's own tokens are {@code ct_} and 43 base64url characters)
 */
public record Secret(String value) {
    /** The longest token, in bytes of UTF-8 (the {@code str16} of HELLO allows more; the contract caps it). */
    public static final int MAX_BYTES = 1024;

    public Secret {
        Objects.requireNonNull(value, "value");
        int n = value.getBytes(StandardCharsets.UTF_8).length;
        if (n < 1 || n > MAX_BYTES) {
            throw new IllegalArgumentException("a token must be 1 to " + MAX_BYTES + " bytes of UTF-8, not " + n);
        }
    }

    /** Never the token itself. */
    @Override
    public String toString() {
        return "Secret[hidden]";
    }
}
