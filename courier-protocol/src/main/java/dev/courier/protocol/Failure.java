package dev.courier.protocol;

import java.util.Objects;

/**
 * A request that cannot be served, as the code that serves it says so: a typed {@link ErrorCode} and a message for
 * people, and no request id. Domain code (recordings, files, uploads) throws it without knowing which request, or
 * which protocol, asked; the handler that owns the request turns it into an {@link ErrorReply} with the id
 * ({@link #toReply}), or, on the legacy port, into a close. {@link ProtocolException} stays for faults of the wire
 * itself (framing, handshake).
 *
 * <p>Stackless: a failure is an ordinary answer (a wrong record, a missing file), not a bug, and a hostile client
 * can cause a great many of them.
 */
public final class Failure extends RuntimeException {
    private final ErrorCode code;

    public Failure(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = Objects.requireNonNull(code, "code");
    }

    public ErrorCode code() {
        return code;
    }

    /** The ERROR frame that reports this failure as the answer to request {@code requestId}. */
    public ErrorReply toReply(int requestId) {
        return new ErrorReply(requestId, code, getMessage());
    }
}
