package dev.courier.client;

import dev.courier.protocol.ErrorCode;
import java.util.Objects;

/**
 * A request failed: the server answered with a typed error, or the connection, the deadline or a local file got in
 * the way. {@link #code()} tells which; the message says it to a person.
 */
public final class CourierException extends RuntimeException {
    private final ErrorCode code;

    public CourierException(ErrorCode code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
    }

    public CourierException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    public ErrorCode code() {
        return code;
    }

    /** The exception behind a failed future or callback, as a CourierException where it is one. */
    public static RuntimeException unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof java.util.concurrent.CompletionException
                || c instanceof java.util.concurrent.ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof RuntimeException r) {
            return r;
        }
        return new CourierException(ErrorCode.INTERNAL, c.toString(), c);
    }
}
