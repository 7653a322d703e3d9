package dev.courier.protocol;

/**
 * Every error Courier reports, shared by server, client and CLI. The numeric code is what travels in an ERROR
 * frame; {@link #fatal()} says whether the sender closes the connection after reporting it (the framing can no
 * longer be trusted) or keeps serving the connection (only that one request failed).
 */
public enum ErrorCode {
    MALFORMED_FRAME(1, true, "the bytes received are not a valid frame"),
    FRAME_TOO_LARGE(2, true, "the frame is larger than the receiver's maximum"),
    UNKNOWN_TYPE(3, true, "the frame type is not one this peer understands"),
    BAD_MAGIC(4, true, "the peer does not speak the Courier protocol"),
    UNSUPPORTED_VERSION(5, true, "the peer speaks a protocol version this side does not"),
    HANDSHAKE_REQUIRED(6, true, "the first frame on a connection must be HELLO"),
    MALFORMED_REQUEST(7, false, "the request's payload is not valid for its type"),
    UNKNOWN_RECORD(20, false, "no such record"),
    UNKNOWN_CHANNEL(21, false, "no such channel in this record"),
    TIME_OUT_OF_RANGE(22, false, "the time is outside the recording"),
    BATCH_TOO_LARGE(23, false, "the batch holds more points than allowed"),
    NOT_FOUND(40, false, "no such file or directory"),
    OUTSIDE_ROOT(41, false, "the path leads outside the served directory"),
    NOT_A_FILE(42, false, "the path is not a regular file"),
    NOT_A_DIRECTORY(43, false, "the path is not a directory"),
    OFFSET_PAST_END(44, false, "the read starts at or past the end of the file"),
    CHUNK_TOO_LARGE(45, false, "the read is larger than the maximum chunk"),
    LISTING_TOO_LARGE(46, false, "the directory listing does not fit in one frame"),
    IO_ERROR(47, false, "the server could not read or write the file"),
    CHECKSUM_MISMATCH(48, false, "the data does not match its CRC32C"),
    UPLOADS_DISABLED(49, false, "this server does not accept uploads"),
    UPLOAD_CONFLICT(50, false, "another client is uploading that name"),
    UNKNOWN_UPLOAD(51, false, "no upload with that id is in progress"),
    UPLOAD_INCOMPLETE(52, false, "the upload is missing bytes"),
    DIGEST_MISMATCH(53, false, "the file's SHA-256 is not the one announced"),
    DISK_FULL(54, false, "no space left to write the file"),
    FILE_CHANGED(55, false, "the file changed while it was being read"),
    UPLOAD_TOO_LARGE(56, false, "the upload is larger than this server accepts"),
    TOO_MANY_UPLOADS(57, false, "too many uploads are open on this connection or this server"),
    TOO_MANY_CONNECTIONS(60, true, "the server holds as many connections as it allows"),
    SHUTTING_DOWN(61, true, "the server is shutting down"),
    IDLE_TIMEOUT(62, true, "nothing was heard from the peer within the idle timeout"),
    WRITE_TIMEOUT(63, true, "the peer read nothing of what was sent to it within the write timeout"),
    INTERNAL(99, false, "the server failed unexpectedly"),
    // Local codes: raised on this side, never sent on the wire.
    CONNECTION_FAILED(80, true, "could not connect to the server"),
    CONNECTION_CLOSED(81, true, "the connection closed before the reply arrived"),
    TIMED_OUT(82, false, "no reply within the deadline"),
    VERIFICATION_FAILED(83, false, "the data received does not match what the server announced"),
    LOCAL_IO_ERROR(84, false, "a local file could not be written"),
    BAD_REPLY(85, true, "the server's reply breaks the protocol (a length, offset, id or limit out of bounds)");

    private static final ErrorCode[] BY_CODE = new ErrorCode[100];

    static {
        for (ErrorCode c : values()) {
            BY_CODE[c.code] = c;
        }
    }

    private final int code;
    private final boolean fatal;
    private final String meaning;

    ErrorCode(int code, boolean fatal, String meaning) {
        this.code = code;
        this.fatal = fatal;
        this.meaning = meaning;
    }

    /** The u16 that travels on the wire. */
    public int code() {
        return code;
    }

    /** True when the connection is closed after this error is reported. */
    public boolean fatal() {
        return fatal;
    }

    /** One line that says what the code means, for people. */
    public String meaning() {
        return meaning;
    }

    /** The code for a wire value; {@code null} for a value this version does not know. */
    public static ErrorCode fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
