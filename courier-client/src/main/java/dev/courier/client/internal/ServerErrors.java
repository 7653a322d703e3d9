package dev.courier.client.internal;

import dev.courier.client.CourierException;
import dev.courier.protocol.ErrorReply;

/**
 * The server's ERRORs as {@link CourierException}s: the code and the server's message, with what to do added where
 * the fix is on the user's side (the token), and the retry-after of RATE_LIMITED kept for the backoff. Stateless.
 */
public final class ServerErrors {
    private ServerErrors() {
    }

    /** The exception that {@code e} stands for. */
    public static CourierException of(ErrorReply e) {
        String advice = switch (e.code()) {
            case AUTH_REQUIRED -> "; give one with --token TOKEN, --token-file FILE or COURIER_TOKEN (the "
                    + "server's operator makes one with `courier token new`)";
            case AUTH_FAILED -> "; check the token given with --token, --token-file or COURIER_TOKEN, or ask the "
                    + "server's operator for a new one";
            case FORBIDDEN -> "; ask the server's operator for a token with that scope";
            default -> "";
        };
        return new CourierException(e.code(), e.message() + advice, e.retryAfterMillis());
    }
}
