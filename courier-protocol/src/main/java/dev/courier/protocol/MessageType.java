package dev.courier.protocol;

/**
 * The one-byte type codes of every frame, and the payload each carries after the 10-byte header of
 * {@link FrameDescriptor}: the table of docs/protocol.md, "Message types". Codes are stable: they are on the wire.
 * {@link MessageWriter} writes each payload and {@link MessageReader} reads it, one method per type in both; the
 * server reads only what a client sends, and the client only what a server sends.
 *
 * <pre>
 *  code  type                sent by  payload
 *  0x01  HELLO               both     magic u32, version u16, maxFrameBytes u32, maxChunkBytes u32
 *  0x02  PING                both     token u64
 *  0x03  PONG                both     token u64
 *  0x04  ERROR               both     code u16, message str16
 *  0x10  POINT               client   channel u16, time f64, record str8
 *  0x11  POINT_VALUE         server   value f64, sampleIndex u32, sampleTime f64
 *  0x12  POINT_BATCH         client   channel u16, record str8, count u32, count x time f64
 *  0x13  POINT_BATCH_VALUES  server   count u32, count x (sampleIndex u32, sampleTime f64, value f64)
 *  0x20  LIST                client   path str16
 *  0x21  LISTING             server   count u32, count x (kind u8, size u64, modifiedMillis i64, name str16)
 *  0x22  STAT                client   name str16
 *  0x23  STAT_RESULT         server   size u64, modifiedMillis i64
 *  0x24  READ                client   offset u64, length u32, name str16
 *  0x25  CHUNK               server   offset u64, crc32c u32, data (rest of frame); flags: 0x01 last, 0x02 crc
 *  0x26  DIGEST              client   name str16; flags: 0x04 recompute
 *  0x27  DIGEST_RESULT       server   size u64, modifiedMillis i64, sha256 [32]
 *  0x30  UPLOAD_BEGIN        client   size u64, sha256 [32], name str16
 *  0x31  UPLOAD_READY        server   uploadId u64, maxWriteBytes u32, count u32, count x (offset u64, length u64)
 *  0x32  UPLOAD_WRITE        client   uploadId u64, offset u64, crc32c u32, data (rest of frame)
 *  0x33  UPLOAD_ACK          server   offset u64, length u32
 *  0x34  UPLOAD_COMMIT       client   uploadId u64
 *  0x35  UPLOAD_DONE         server   size u64, sha256 [32]
 * </pre>
 *
 * All integers are big-endian; {@code str8} and {@code str16} are a u8 or u16 byte count followed by that many
 * bytes of UTF-8, and {@code [32]} is 32 raw bytes.
 */
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
