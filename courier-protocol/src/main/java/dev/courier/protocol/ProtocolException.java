package dev.courier.protocol;

/**
 * A rule of the protocol was broken, or a request cannot be served. Carries the {@link ErrorCode} that goes into
 * the ERROR frame and the id of the request it answers (0 for the connection as a whole).
 */
public final class ProtocolException extends RuntimeException {
    private final ErrorCode code;
    private final int requestId;

    public ProtocolException(ErrorCode code, int requestId, String message) {
        super(message, null, false, false);
        this.code = code;
        this.requestId = requestId;
    }

    public ErrorCode code() {
        return code;
    }

    public int requestId() {
        return requestId;
    }

    /** The ERROR frame that reports this exception to the peer. */
    public ErrorReply toReply() {
        return new ErrorReply(requestId, code, getMessage());
    }
}
