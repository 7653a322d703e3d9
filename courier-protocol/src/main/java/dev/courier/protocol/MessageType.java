package dev.courier.protocol;

/** The one-byte type codes of every frame. Codes are stable: they are on the wire. */
public final class MessageType {
    public static final int HELLO = 0x01;
    public static final int PING = 0x02;
    public static final int PONG = 0x03;
    public static final int ERROR = 0x04;
    public static final int POINT = 0x10;
    public static final int POINT_VALUE = 0x11;
    public static final int POINT_BATCH = 0x12;
    public static final int POINT_BATCH_VALUES = 0x13;
    public static final int LIST = 0x20;
    public static final int LISTING = 0x21;
    public static final int STAT = 0x22;
    public static final int STAT_RESULT = 0x23;
    public static final int READ = 0x24;
    public static final int CHUNK = 0x25;
    public static final int DIGEST = 0x26;
    public static final int DIGEST_RESULT = 0x27;
    public static final int UPLOAD_BEGIN = 0x30;
    public static final int UPLOAD_READY = 0x31;
    public static final int UPLOAD_WRITE = 0x32;
    public static final int UPLOAD_ACK = 0x33;
    public static final int UPLOAD_COMMIT = 0x34;
    public static final int UPLOAD_DONE = 0x35;

    private MessageType() {
    }

    /** A readable name for logs and error messages, or {@code 0x..} for an unknown code. */
    public static String name(int type) {
        return switch (type) {
            case HELLO -> "HELLO";
            case PING -> "PING";
            case PONG -> "PONG";
            case ERROR -> "ERROR";
            case POINT -> "POINT";
            case POINT_VALUE -> "POINT_VALUE";
            case POINT_BATCH -> "POINT_BATCH";
            case POINT_BATCH_VALUES -> "POINT_BATCH_VALUES";
            case LIST -> "LIST";
            case LISTING -> "LISTING";
            case STAT -> "STAT";
            case STAT_RESULT -> "STAT_RESULT";
            case READ -> "READ";
            case CHUNK -> "CHUNK";
            case DIGEST -> "DIGEST";
            case DIGEST_RESULT -> "DIGEST_RESULT";
            case UPLOAD_BEGIN -> "UPLOAD_BEGIN";
            case UPLOAD_READY -> "UPLOAD_READY";
            case UPLOAD_WRITE -> "UPLOAD_WRITE";
            case UPLOAD_ACK -> "UPLOAD_ACK";
            case UPLOAD_COMMIT -> "UPLOAD_COMMIT";
            case UPLOAD_DONE -> "UPLOAD_DONE";
            default -> String.format("0x%02x", type);
        };
    }
}
