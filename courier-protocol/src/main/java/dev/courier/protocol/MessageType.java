package dev.courier.protocol;

/**
 * The one-byte type codes of every frame, and the payload each carries after the 10-byte header of
 * {@link FrameDescriptor}: the table of docs/protocol.md, "Message types". Codes are stable: they are on the wire.
 * {@link MessageWriter} writes each payload and {@link MessageReader} reads it, one method per type in both; the
 * server reads only what a client sends, and the client only what a server sends. Both readers switch over this
 * enum with no {@code default}, as the writer does over the messages, so a new type fails to compile until each
 * side says what it does with it.
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
 *  0x25  CHUNK               server   offset u64, crc32c u32, data (rest of frame); flags: 0x01 last, 0x02 crc,
 *                                     0x08 end (of a stream)
 *  0x26  DIGEST              client   name str16; flags: 0x04 recompute
 *  0x27  DIGEST_RESULT       server   size u64, modifiedMillis i64, sha256 [32]
 *  0x28  READ_STREAM         client   offset u64, length u64, window u32, chunkBytes u32, size u64,
 *                                     modifiedMillis i64, name str16
 *  0x29  WINDOW              client   increment u32
 *  0x2A  CANCEL              client   (none)
 *  0x30  UPLOAD_BEGIN        client   size u64, sha256 [32], name str16
 *  0x31  UPLOAD_READY        server   uploadId u64, maxWriteBytes u32, count u32, count x (offset u64, length u64)
 *  0x32  UPLOAD_WRITE        client   uploadId u64, offset u64, crc32c u32, data (rest of frame)
 *  0x33  UPLOAD_ACK          server   offset u64, length u32
 *  0x34  UPLOAD_COMMIT       client   uploadId u64
 *  0x35  UPLOAD_DONE         server   size u64, sha256 [32]
 *  0x40  RECORDS             client   startIndex u32
 *  0x41  RECORDS_RESULT      server   total u32, count u32, count x (id str8, rateHz f64, samples u32,
 *                                     startTime f64, flags u8, startUnixMillis i64, timeTitle str16,
 *                                     channels u16, channels x (name str16, unit str16, title str16))
 *  0x42  RANGE_STREAM        client   fromSample u64, toSample u64, step u32, window u32, chunkBytes u32,
 *                                     channels u16, channels x u16, record str8; answered by CHUNKs of rows
 *  0x44  ENVELOPE            client   fromSample u64, toSample u64, buckets u32, channels u16, channels x u16,
 *                                     record str8
 *  0x45  ENVELOPE_RESULT     server   buckets u32, channels u16, channels x buckets x (min, max, first, last f64)
 *  0x50  APPEND              client   record str8, rateHz f64, channels u16, rows u32,
 *                                     rows x (time f64, channels x f64)
 *  0x51  APPEND_ACK          server   firstSample u64, rows u32
 *  0x52  SUBSCRIBE           client   fromSample u64, window u32, chunkBytes u32, channels u16, channels x u16,
 *                                     record str8; answered by CHUNKs of rows that end only on CANCEL or ERROR
 * </pre>
 *
 * All integers are big-endian; {@code str8} and {@code str16} are a u8 or u16 byte count followed by that many
 * bytes of UTF-8, and {@code [32]} is 32 raw bytes.
 */
public enum MessageType {
    HELLO(0x01),
    PING(0x02),
    PONG(0x03),
    ERROR(0x04),
    POINT(0x10),
    POINT_VALUE(0x11),
    POINT_BATCH(0x12),
    POINT_BATCH_VALUES(0x13),
    LIST(0x20),
    LISTING(0x21),
    STAT(0x22),
    STAT_RESULT(0x23),
    READ(0x24),
    CHUNK(0x25),
    DIGEST(0x26),
    DIGEST_RESULT(0x27),
    READ_STREAM(0x28),
    WINDOW(0x29),
    CANCEL(0x2A),
    UPLOAD_BEGIN(0x30),
    UPLOAD_READY(0x31),
    UPLOAD_WRITE(0x32),
    UPLOAD_ACK(0x33),
    UPLOAD_COMMIT(0x34),
    UPLOAD_DONE(0x35),
    RECORDS(0x40),
    RECORDS_RESULT(0x41),
    RANGE_STREAM(0x42),
    ENVELOPE(0x44),
    ENVELOPE_RESULT(0x45),
    APPEND(0x50),
    APPEND_ACK(0x51),
    SUBSCRIBE(0x52);

    /** Indexed by the u8 code: every value a type byte can hold. */
    private static final MessageType[] BY_CODE = new MessageType[256];

    static {
        for (MessageType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    private final int code;

    MessageType(int code) {
        this.code = code;
    }

    /** The u8 that travels in the frame header. */
    public int code() {
        return code;
    }

    /** The type for a wire value; {@code null} for a value this version does not know. */
    public static MessageType fromCode(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** A readable name for logs and error messages: the type's name, or {@code 0x..} for an unknown code. */
    public static String nameOf(int code) {
        MessageType t = fromCode(code);
        return t != null ? t.name() : String.format("0x%02x", code);
    }
}
