package dev.courier.protocol;

/**
 * Every error Courier reports, shared by server, client and CLI. The numeric code is what travels in an ERROR
 * frame; {@link #fatal()} says whether the sender closes the connection after reporting it (the framing can no
 * longer be trusted) or keeps serving the connection (only that one request failed).
 */
public enum ErrorCode {
    /** The bytes received are not a valid frame. */
    MALFORMED_FRAME(1, true),
    /** The frame is larger than the receiver's maximum. */
    FRAME_TOO_LARGE(2, true),
    /** The frame type is not one this peer understands. */
    UNKNOWN_TYPE(3, true),
    /** The peer does not speak the Courier protocol. */
    BAD_MAGIC(4, true),
    /** The peer speaks a protocol version this side does not. */
    UNSUPPORTED_VERSION(5, true),
    /** The first frame on a connection must be HELLO. */
    HANDSHAKE_REQUIRED(6, true),
    /** The request's payload is not valid for its type. */
    MALFORMED_REQUEST(7, false),
    /** No such record. */
    UNKNOWN_RECORD(20, false),
    /** No such channel in this record. */
    UNKNOWN_CHANNEL(21, false),
    /** The time, or a range's end, is outside the recording. */
    TIME_OUT_OF_RANGE(22, false),
    /** The batch holds more points than allowed. */
    BATCH_TOO_LARGE(23, false),
    /** The range starts after it ends. */
    BAD_RANGE(24, false),
    /** The downsampled answer would hold more buckets than allowed. */
    TOO_MANY_BUCKETS(25, false),
    /**
     * A subscriber's queue of appended rows passed its bound (it reads too slowly): sent with the subscription's id,
     * it ends that subscription only; the connection and its other requests go on.
     */
    SLOW_CONSUMER(26, false),
    /** This server does not take live records (start it with {@code --live}). */
    LIVE_DISABLED(27, false),
    /** An APPEND's rows do not fit the record: channels, rate, a time not increasing or off the rate, NaN or inf. */
    BAD_APPEND(28, false),
    /** The record is a recorded (read-only) one: it cannot be appended to nor subscribed to. */
    NOT_LIVE(29, false),
    /** No such file or directory. */
    NOT_FOUND(40, false),
    /** The path leads outside the served directory. */
    OUTSIDE_ROOT(41, false),
    /** The path is not a regular file. */
    NOT_A_FILE(42, false),
    /** The path is not a directory. */
    NOT_A_DIRECTORY(43, false),
    /** The read starts at or past the end of the file. */
    OFFSET_PAST_END(44, false),
    /** The read is larger than the maximum chunk. */
    CHUNK_TOO_LARGE(45, false),
    /** The directory listing does not fit in one frame. */
    LISTING_TOO_LARGE(46, false),
    /** The server could not read or write the file. */
    IO_ERROR(47, false),
    /** The data does not match its CRC32C. */
    CHECKSUM_MISMATCH(48, false),
    /** This server does not accept uploads. */
    UPLOADS_DISABLED(49, false),
    /** Another client is uploading that name. */
    UPLOAD_CONFLICT(50, false),
    /** No upload with that id is in progress. */
    UNKNOWN_UPLOAD(51, false),
    /** The upload is missing bytes. */
    UPLOAD_INCOMPLETE(52, false),
    /** The file's SHA-256 is not the one announced. */
    DIGEST_MISMATCH(53, false),
    /** No space left to write the file. */
    DISK_FULL(54, false),
    /** The file changed while it was being read. */
    FILE_CHANGED(55, false),
    /** The upload is larger than this server accepts. */
    UPLOAD_TOO_LARGE(56, false),
    /** Too many uploads are open on this connection or this server. */
    TOO_MANY_UPLOADS(57, false),
    /** The connection already has as many streams open as the server allows. */
    TOO_MANY_STREAMS(58, false),
    /** The server requires a token ({@code --auth}) and this connection's HELLO carried none. */
    AUTH_REQUIRED(70, false),
    /** The HELLO's token is not one the server knows: sent with request id 0, then the connection is closed. */
    AUTH_FAILED(71, true),
    /** The connection's token lacks the scope this request needs. */
    FORBIDDEN(72, false),
    /** Over the token's or address's request rate; the ERROR says how long to wait. */
    RATE_LIMITED(73, false),
    /** The server holds as many connections as it allows. */
    TOO_MANY_CONNECTIONS(60, true),
    /** The server is shutting down. */
    SHUTTING_DOWN(61, true),
    /** Nothing was heard from the peer within the idle timeout. */
    IDLE_TIMEOUT(62, true),
    /** The peer read nothing of what was sent to it within the write timeout. */
    WRITE_TIMEOUT(63, true),
    /**
     * A plaintext HELLO reached a port that speaks only TLS: answered in plaintext with request id 0, then closed.
     */
    TLS_REQUIRED(74, true),
    /** The server failed unexpectedly. */
    INTERNAL(99, false),
    // Local codes: raised on this side, never sent on the wire.
    /** Could not connect to the server. */
    CONNECTION_FAILED(80, true),
    /** The connection closed before the reply arrived. */
    CONNECTION_CLOSED(81, true),
    /** No reply within the deadline. */
    TIMED_OUT(82, false),
    /** The data received does not match what the server announced. */
    VERIFICATION_FAILED(83, false),
    /** A local file could not be written. */
    LOCAL_IO_ERROR(84, false),
    /** The server's reply breaks the protocol (a length, offset, id or limit out of bounds). */
    BAD_REPLY(85, true),
    /**
     * The TLS handshake failed or TLS was refused: the server's certificate is untrusted, for another name, or
     * expired; the server wants a client certificate or does not trust the one given; or the server is not TLS.
     */
    TLS_FAILED(86, true);

    private static final ErrorCode[] BY_CODE = new ErrorCode[100];

    static {
        for (ErrorCode c : values()) {
            BY_CODE[c.code] = c;
        }
    }

    private final int code;
    private final boolean fatal;

    ErrorCode(int code, boolean fatal) {
        this.code = code;
        this.fatal = fatal;
    }

    /** The u16 that travels on the wire. */
    public int code() {
        return code;
    }

    /** True when the connection is closed after this error is reported. */
    public boolean fatal() {
        return fatal;
    }


    /** The code for a wire value; {@code null} for a value this version does not know. */
    public static ErrorCode fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
