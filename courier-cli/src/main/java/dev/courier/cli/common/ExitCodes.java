package dev.courier.cli.common;

import dev.courier.client.CourierException;
import dev.courier.protocol.ErrorCode;

/**
 * The exit codes of the {@code courier} command besides 0 (success), and which one a failure gives. Scripts (the
 * ones under {@code bench/} among them) test them.
 */
public final class ExitCodes {
    /** The operation failed: a typed error from the server, a failed verification, a local file problem. */
    public static final int FAILED = 1;
    /** Bad arguments. */
    public static final int USAGE = 2;
    /** The server could not be reached, or the connection was lost or timed out. */
    public static final int UNREACHABLE = 3;
    /** The server wants a token, does not know the one given, or the token lacks the scope (AUTH_*, FORBIDDEN). */
    public static final int AUTH = 4;

    private ExitCodes() {
    }

    /**
     * The exit code for a command that ended with {@code e}: {@link #UNREACHABLE} for a lost, refused or timed-out
     * connection, {@link #AUTH} for a token the server wants, refuses or finds lacking, {@link #USAGE} for an {@link IllegalArgumentException} (the commands' way of rejecting an option
     * value), {@link #FAILED} for anything else.
     */
    public static int of(Throwable e) {
        RuntimeException r = e instanceof RuntimeException re ? CourierException.unwrap(re) : null;
        if (r instanceof CourierException c) {
            ErrorCode code = c.code();
            if (code == ErrorCode.AUTH_REQUIRED || code == ErrorCode.AUTH_FAILED || code == ErrorCode.FORBIDDEN) {
                return AUTH;
            }
            return code == ErrorCode.CONNECTION_FAILED || code == ErrorCode.CONNECTION_CLOSED
                    || code == ErrorCode.TIMED_OUT ? UNREACHABLE : FAILED;
        }
        if (r instanceof IllegalArgumentException) {
            return USAGE;
        }
        return FAILED;
    }
}
