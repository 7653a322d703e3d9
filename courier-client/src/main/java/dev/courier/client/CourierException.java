package dev.courier.client;

import dev.courier.protocol.ErrorCode;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A request failed: the server answered with a typed error, or the connection, the deadline or a local file got in
 * the way. {@link #code()} tells which; the message says it to a person. Immutable.
 *
 * <p>The code is a {@link ErrorCode}, the one type of the protocol module the client's API exposes: server, client
 * and CLI share that vocabulary of failures (the server's codes travel in ERROR frames; the local ones, such as
 * {@code CONNECTION_FAILED} and {@code VERIFICATION_FAILED}, are raised on this side), so a caller can tell a
 * missing file from a lost connection without parsing text.
 */
public final class CourierException extends RuntimeException {
    private final ErrorCode code;
    private final long retryAfterMillis;

    public CourierException(ErrorCode code, String message) {
        this(code, message, 0L);
    }

    /**
     * A failure the server says may be retried after {@code retryAfterMillis} (RATE_LIMITED).
     *
     * @param retryAfterMillis milliseconds to wait before trying again; 0 when the server said nothing
     */
    public CourierException(ErrorCode code, String message, long retryAfterMillis) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
        this.retryAfterMillis = retryAfterMillis;
    }

    public CourierException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
        this.retryAfterMillis = 0;
    }

    /** Which failure this is: the server's code, or a local one. */
    public ErrorCode code() {
        return code;
    }

    /** For RATE_LIMITED: how long the server asked the client to wait, in milliseconds; 0 otherwise. */
    public long retryAfterMillis() {
        return retryAfterMillis;
    }

    /** The exception behind a failed future or callback, as a CourierException where it is one. */
    public static RuntimeException unwrap(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof RuntimeException r) {
            return r;
        }
        return new CourierException(ErrorCode.INTERNAL, c.toString(), c);
    }

    /**
     * Waits for {@code f} and returns its value; a failure is thrown as {@link #unwrap} gives it (the typed
     * CourierException, not the CompletionException around it). For callers that block, such as a command line.
     */
    public static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (RuntimeException e) {
            throw unwrap(e);
        }
    }
}
