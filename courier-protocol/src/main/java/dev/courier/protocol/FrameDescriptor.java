package dev.courier.protocol;

/**
 * The layout of every Courier frame. All integers are big-endian (network order); {@code u32} fields are
 * carried in Java {@code int}s and compared unsigned where it matters.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     Frame length (u32)                        |  bytes that follow this field
 *  +---------------+---------------+-------------------------------+
 *  |   Type (u8)   |  Flags (u8)   |      Request id (u32) ...     |
 *  +---------------+---------------+-------------------------------+
 *  |   ... Request id              |          Payload ...          |
 *  +-------------------------------+-------------------------------+
 * </pre>
 *
 * The frame length counts the type, flags, request id and payload, so it is never less than
 * {@link #MIN_FRAME_LENGTH}. A receiver rejects a length above its announced maximum before it buffers
 * anything, which is why nothing is ever allocated according to an unchecked length. {@link MessageWriter} and
 * {@link MessageReader} write and read the header at the offsets below; the payload of each type is drawn in
 * {@link MessageType}.
 */
public final class FrameDescriptor {
    /** Offset of the u32 frame length. */
    public static final int LENGTH_OFFSET = 0;
    /** Size of the length field itself. */
    public static final int LENGTH_FIELD_BYTES = 4;
    /** Offset of the u8 message type. */
    public static final int TYPE_OFFSET = 4;
    /** Offset of the u8 flags. */
    public static final int FLAGS_OFFSET = 5;
    /** Offset of the u32 request id. */
    public static final int REQUEST_ID_OFFSET = 6;
    /** Offset of the first payload byte. */
    public static final int PAYLOAD_OFFSET = 10;
    /** Bytes before the payload: length, type, flags, request id. */
    public static final int HEADER_BYTES = PAYLOAD_OFFSET;
    /** The smallest legal frame length: type, flags and request id with an empty payload. */
    public static final int MIN_FRAME_LENGTH = HEADER_BYTES - LENGTH_FIELD_BYTES;

    /** "COUR" in ASCII: the first four payload bytes of a HELLO. */
    public static final int MAGIC = 0x434F5552;
    /** The protocol version this code speaks. */
    public static final int VERSION = 1;

    /** Chunk flag: the chunk ends at the end of the file. */
    public static final int FLAG_LAST = 0x01;
    /** Chunk flag: the crc32c field holds the CRC32C of the chunk's data. */
    public static final int FLAG_CRC = 0x02;
    /** Digest flag: hash the file afresh rather than answer from a cached digest. */
    public static final int FLAG_RECOMPUTE = 0x04;
    /**
     * READ and READ_STREAM flag: the client asks for this range again because the copy it received failed its CRC32C.
     * The server answers exactly as without it and only counts the chunks it sends ({@code courier_chunks_refetched});
     * a server that predates the flag ignores it.
     */
    public static final int FLAG_REFETCH = 0x04;
    /** Chunk flag: the stream's final frame; its request id is free again. */
    public static final int FLAG_END = 0x08;
    /**
     * RANGE_STREAM flag: the client reads scaled rows, so the server may send them. CHUNK flag: this chunk's data is
     * scaled rows, a u8 of decimal digits per channel, then each value as a big-endian i16 k standing for
     * {@code k / 10^digits} (docs/protocol.md, RANGE_STREAM).
     */
    public static final int FLAG_SCALED = 0x10;

    /** Bytes of one entry of a POINT_BATCH_VALUES payload: sampleIndex u32, sampleTime f64, value f64. */
    public static final int BATCH_VALUE_BYTES = 4 + 8 + 8;

    /** Payload bytes of a CHUNK before its data: offset u64, crc32c u32. */
    public static final int CHUNK_PREFIX_BYTES = 12;
    /** Every byte of a CHUNK frame that is not file data. */
    public static final int CHUNK_OVERHEAD_BYTES = HEADER_BYTES + CHUNK_PREFIX_BYTES;

    /** Payload bytes of an UPLOAD_WRITE before its data: upload id u64, offset u64, crc32c u32. */
    public static final int UPLOAD_WRITE_PREFIX_BYTES = 20;
    /** Every byte of an UPLOAD_WRITE frame that is not file data. */
    public static final int UPLOAD_WRITE_OVERHEAD_BYTES = HEADER_BYTES + UPLOAD_WRITE_PREFIX_BYTES;
    /**
     * The least data an UPLOAD_WRITE may carry, unless it ends the file or the server's maxWriteBytes is smaller
     * (then that is the least). It bounds the writes, journal entries and ranges a server keeps per byte uploaded.
     */
    public static final int MIN_UPLOAD_WRITE_BYTES = 64 << 10;

    /**
     * The smallest chunk cap a server may announce in its HELLO (unless the client asked for less), and the smallest
     * largest-write an UPLOAD_READY may announce: a page. Below it a transfer needs a round trip for every few bytes
     * and the frame overhead exceeds the data, so Courier's client refuses such a server at the handshake and
     * Courier's server refuses to be configured so.
     */
    public static final int MIN_CHUNK_CAP_BYTES = 4096;
    /** The smallest request frame a server may accept: one UPLOAD_WRITE of {@link #MIN_CHUNK_CAP_BYTES}. */
    public static final int MIN_SERVER_FRAME_BYTES = MIN_CHUNK_CAP_BYTES + UPLOAD_WRITE_OVERHEAD_BYTES
            - LENGTH_FIELD_BYTES;

    /** The largest credit a stream may hold, and the largest WINDOW increment: 2^31-1 data bytes. */
    public static final int MAX_WINDOW_BYTES = Integer.MAX_VALUE;

    /** Bytes of a SHA-256 digest. */
    public static final int SHA256_BYTES = 32;

    private FrameDescriptor() {
    }
}
