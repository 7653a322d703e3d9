package dev.courier.protocol;

import static dev.courier.protocol.FrameDescriptor.FLAGS_OFFSET;
import static dev.courier.protocol.FrameDescriptor.FLAG_CRC;
import static dev.courier.protocol.FrameDescriptor.FLAG_END;
import static dev.courier.protocol.FrameDescriptor.FLAG_LAST;
import static dev.courier.protocol.FrameDescriptor.FLAG_RECOMPUTE;
import static dev.courier.protocol.FrameDescriptor.FLAG_REFETCH;
import static dev.courier.protocol.FrameDescriptor.FLAG_SCALED;
import static dev.courier.protocol.FrameDescriptor.HEADER_BYTES;
import static dev.courier.protocol.FrameDescriptor.LENGTH_FIELD_BYTES;
import static dev.courier.protocol.FrameDescriptor.LENGTH_OFFSET;
import static dev.courier.protocol.FrameDescriptor.PAYLOAD_OFFSET;
import static dev.courier.protocol.FrameDescriptor.REQUEST_ID_OFFSET;
import static dev.courier.protocol.FrameDescriptor.TYPE_OFFSET;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads frames into messages, the mirror of {@link MessageWriter}: {@link #readRequest} reads what a server receives
 * and {@link #readReply} what a client receives, each through one small method per frame type (the payloads are
 * drawn in {@link MessageType}). The frame header is read at the offsets of {@link FrameDescriptor}. Works on
 * buffers only and knows nothing of channels or sockets; stateless and thread-safe.
 *
 * <p>Every field read is checked against the bytes that are actually there, and every count against the bytes left
 * before anything is allocated for it, so a truncated or lying payload becomes a {@link ProtocolException} and never
 * an out-of-bounds read or a huge allocation.
 */
public final class MessageReader {
    /** Bytes of one POINT_BATCH time: f64. */
    private static final int TIME_BYTES = 8;
    /** Bytes of one LISTING entry before its name's bytes: kind u8, size u64, modifiedMillis i64, name length u16. */
    private static final int ENTRY_FIXED_BYTES = 1 + 8 + 8 + 2;
    /** Bytes of one UPLOAD_READY range: offset u64, length u64. */
    private static final int RANGE_BYTES = 8 + 8;
    /** Bytes of one RECORDS_RESULT entry at the least: every field, its strings empty, no channel. */
    private static final int RECORD_ENTRY_MIN_BYTES = 1 + 8 + 4 + 8 + 1 + 8 + 2 + 2;
    /** Bytes of one RECORDS_RESULT channel at the least: three empty str16. */
    private static final int CHANNEL_ENTRY_MIN_BYTES = 2 + 2 + 2;
    /** Bytes of one channel number: u16. */
    private static final int CHANNEL_NUMBER_BYTES = 2;
    /** RECORDS_RESULT flag bits of an entry. */
    static final int RECORD_HAS_HEADER = 0x01;
    static final int RECORD_HAS_START = 0x02;

    private MessageReader() {
    }

    /**
     * Reads one whole frame, length field included, as a server receives it. A CHUNK's or UPLOAD_WRITE's data is a
     * retained slice of {@code frame}; everything else is copied out.
     *
     * @throws ProtocolException {@link ErrorCode#UNKNOWN_TYPE} (with the request id) for a type that is not a
     *                           request, be it unknown or a reply's; {@link ErrorCode#MALFORMED_REQUEST} (with the
     *                           request id) for a payload that does not fit its type; {@link ErrorCode#BAD_MAGIC}
     *                           for a HELLO of another protocol; {@link ErrorCode#MALFORMED_FRAME} when the length
     *                           field does not count the bytes that follow it
     */
    public static Request readRequest(ByteBuf frame) {
        Payload p = Payload.of(frame);
        Request m = switch (p.type) {
            case HELLO -> readHello(p);
            case PING -> readPing(p);
            case PONG -> readPong(p);
            case ERROR -> readError(p);
            case POINT -> readPoint(p);
            case POINT_BATCH -> readPointBatch(p);
            case LIST -> readList(p);
            case STAT -> readStat(p);
            case READ -> readRead(p);
            case DIGEST -> readDigest(p);
            case READ_STREAM -> readReadStream(p);
            case WINDOW -> readWindow(p);
            case CANCEL -> readCancel(p);
            case UPLOAD_BEGIN -> readUploadBegin(p);
            case UPLOAD_WRITE -> readUploadWrite(p);
            case UPLOAD_COMMIT -> readUploadCommit(p);
            case RECORDS -> readRecords(p);
            case RANGE_STREAM -> readRangeStream(p);
            case ENVELOPE -> readEnvelope(p);
            case APPEND -> readAppend(p);
            case SUBSCRIBE -> readSubscribe(p);
            case POINT_VALUE, POINT_BATCH_VALUES, LISTING, STAT_RESULT, CHUNK, DIGEST_RESULT, UPLOAD_READY, UPLOAD_ACK,
                 RECORDS_RESULT, ENVELOPE_RESULT, APPEND_ACK,
                 UPLOAD_DONE -> throw p.wrongSide("is a reply; a client may not send it");
        };
        p.end();
        return m;
    }

    /**
     * Reads one whole frame, length field included, as a client receives it. A CHUNK's data is a retained slice of
     * {@code frame}; everything else is copied out.
     *
     * @throws ProtocolException {@link ErrorCode#UNKNOWN_TYPE} (with the request id) for a type that is not a
     *                           reply, be it unknown or a request's; otherwise as {@link #readRequest}
     */
    public static Reply readReply(ByteBuf frame) {
        Payload p = Payload.of(frame);
        Reply m = switch (p.type) {
            case HELLO -> readHello(p);
            case PING -> readPing(p);
            case PONG -> readPong(p);
            case ERROR -> readError(p);
            case POINT_VALUE -> readPointValue(p);
            case POINT_BATCH_VALUES -> readPointBatchValues(p);
            case LISTING -> readListing(p);
            case STAT_RESULT -> readStatResult(p);
            case CHUNK -> readChunk(p);
            case DIGEST_RESULT -> readDigestResult(p);
            case UPLOAD_READY -> readUploadReady(p);
            case UPLOAD_ACK -> readUploadAck(p);
            case UPLOAD_DONE -> readUploadDone(p);
            case RECORDS_RESULT -> readRecordsResult(p);
            case ENVELOPE_RESULT -> readEnvelopeResult(p);
            case APPEND_ACK -> readAppendAck(p);
            case POINT, POINT_BATCH, LIST, STAT, READ, DIGEST, READ_STREAM, WINDOW, CANCEL, UPLOAD_BEGIN, UPLOAD_WRITE,
                 RECORDS, RANGE_STREAM, ENVELOPE, APPEND, SUBSCRIBE,
                 UPLOAD_COMMIT -> throw p.wrongSide("is a request; a server may not send it");
        };
        p.end();
        return m;
    }

    private static Hello readHello(Payload p) {
        int magic = p.i32();
        if (magic != FrameDescriptor.MAGIC) {
            throw new ProtocolException(ErrorCode.BAD_MAGIC, p.requestId,
                    String.format("bad magic 0x%08x, expected 0x%08x (\"COUR\")", magic, FrameDescriptor.MAGIC));
        }
        int version = p.u16();
        int maxFrame = p.i32();
        int maxChunk = p.i32();
        if (maxFrame < FrameDescriptor.MIN_FRAME_LENGTH || maxChunk < 1) {
            throw p.malformed("limits must be positive, got maxFrameBytes=" + Integer.toUnsignedString(maxFrame)
                    + " maxChunkBytes=" + Integer.toUnsignedString(maxChunk));
        }
        Hello hello = new Hello(p.requestId, version, maxFrame, maxChunk);
        if (p.buf.readableBytes() < 2) {
            return hello; // no token; a lone byte more is left for end() to report
        }
        // The optional token str16, read alike on both sides: a server's HELLO with one is the client's to refuse
        // (BAD_REPLY), as it refuses other limits it cannot accept.
        int n = p.buf.getUnsignedShort(p.buf.readerIndex());
        if (n < 1 || n > Secret.MAX_BYTES) {
            throw p.malformed("token length " + n + " is not 1 to " + Secret.MAX_BYTES);
        }
        return hello.withToken(new Secret(p.str16()));
    }

    private static Ping readPing(Payload p) {
        return new Ping(p.requestId, p.u64());
    }

    private static Pong readPong(Payload p) {
        return new Pong(p.requestId, p.u64());
    }

    private static ErrorReply readError(Payload p) {
        int code = p.u16();
        String text = p.str16();
        ErrorCode known = ErrorCode.fromCode(code);
        if (known == null) {
            // A newer peer's code: keep the text, report the failure as internal rather than dropping it.
            return new ErrorReply(p.requestId, ErrorCode.INTERNAL, "error code " + code + ": " + text);
        }
        if (known == ErrorCode.RATE_LIMITED) {
            return new ErrorReply(p.requestId, known, text, Integer.toUnsignedLong(p.i32()));
        }
        return new ErrorReply(p.requestId, known, text);
    }

    private static PointRequest readPoint(Payload p) {
        int channel = p.u16();
        double time = p.f64();
        return new PointRequest(p.requestId, p.str8(), time, channel);
    }

    private static PointReply readPointValue(Payload p) {
        double value = p.f64();
        int index = p.i32();
        return new PointReply(p.requestId, value, index, p.f64());
    }

    private static PointBatchRequest readPointBatch(Payload p) {
        int channel = p.u16();
        String record = p.str8();
        int n = p.count(TIME_BYTES);
        double[] times = new double[n];
        for (int i = 0; i < n; i++) {
            times[i] = p.buf.readDouble(); // the count was checked against the bytes left
        }
        return new PointBatchRequest(p.requestId, record, channel, times);
    }

    private static PointBatchReply readPointBatchValues(Payload p) {
        int n = p.count(FrameDescriptor.BATCH_VALUE_BYTES);
        int[] indexes = new int[n];
        double[] times = new double[n];
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            indexes[i] = p.buf.readInt(); // the count was checked against the bytes left
            times[i] = p.buf.readDouble();
            values[i] = p.buf.readDouble();
        }
        return new PointBatchReply(p.requestId, indexes, times, values);
    }

    private static ListRequest readList(Payload p) {
        return new ListRequest(p.requestId, p.str16());
    }

    private static ListReply readListing(Payload p) {
        int n = p.count(ENTRY_FIXED_BYTES);
        List<FileEntry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            boolean directory = p.u8() == 1;
            long size = p.u64();
            long modified = p.u64();
            entries.add(new FileEntry(p.str16(), directory, size, modified));
        }
        return new ListReply(p.requestId, entries);
    }

    private static StatRequest readStat(Payload p) {
        return new StatRequest(p.requestId, p.str16());
    }

    private static StatReply readStatResult(Payload p) {
        long size = p.u64();
        return new StatReply(p.requestId, size, p.u64());
    }

    private static ReadRequest readRead(Payload p) {
        long offset = p.u64();
        int length = p.i32();
        return new ReadRequest(p.requestId, p.str16(), offset, length, p.flag(FLAG_REFETCH));
    }

    private static ChunkReply readChunk(Payload p) {
        long offset = p.u64();
        int crc = p.i32();
        return new ChunkReply(p.requestId, offset, p.flag(FLAG_LAST), p.flag(FLAG_END), p.flag(FLAG_CRC), crc,
                p.rest(), p.flag(FLAG_SCALED));
    }

    private static DigestRequest readDigest(Payload p) {
        return new DigestRequest(p.requestId, p.str16(), p.flag(FLAG_RECOMPUTE));
    }

    private static StreamRequest readReadStream(Payload p) {
        long offset = p.u64();
        long length = p.u64();
        int window = p.window();
        int chunk = p.i32();
        long size = p.u64();
        long modified = p.u64();
        String name = p.str16();
        if (offset < 0 || length < 0 || size < 0) {
            throw p.malformed("offset, length and size must be below 2^63");
        }
        return new StreamRequest(p.requestId, name, offset, length, window, chunk, size, modified,
                p.flag(FLAG_REFETCH));
    }

    private static WindowUpdate readWindow(Payload p) {
        int increment = p.i32();
        if (increment <= 0) {
            throw p.malformed("increment " + Integer.toUnsignedString(increment) + " is not in 1 .. 2^31-1");
        }
        return new WindowUpdate(p.requestId, increment);
    }

    private static CancelStream readCancel(Payload p) {
        return new CancelStream(p.requestId);
    }

    private static DigestReply readDigestResult(Payload p) {
        long size = p.u64();
        long modified = p.u64();
        return new DigestReply(p.requestId, size, modified, p.sha256());
    }

    private static UploadBegin readUploadBegin(Payload p) {
        long size = p.u64();
        Sha256 sha256 = p.sha256();
        String name = p.str16();
        if (size < 0) {
            throw p.malformed("size " + Long.toUnsignedString(size) + " is out of range");
        }
        return new UploadBegin(p.requestId, name, size, sha256);
    }

    private static UploadReady readUploadReady(Payload p) {
        long uploadId = p.u64();
        int maxWrite = p.i32();
        int n = p.count(RANGE_BYTES);
        List<ByteRange> ranges = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long offset = p.u64();
            long length = p.u64();
            if (offset < 0 || length < 0) {
                throw p.malformed("range out of bounds");
            }
            ranges.add(new ByteRange(offset, length));
        }
        return new UploadReady(p.requestId, uploadId, maxWrite, ranges);
    }

    private static UploadWrite readUploadWrite(Payload p) {
        long uploadId = p.u64();
        long offset = p.u64();
        int crc = p.i32();
        return new UploadWrite(p.requestId, uploadId, offset, crc, p.rest());
    }

    private static UploadAck readUploadAck(Payload p) {
        long offset = p.u64();
        return new UploadAck(p.requestId, offset, p.i32());
    }

    private static UploadCommit readUploadCommit(Payload p) {
        long uploadId = p.u64();
        // The SHA-256 is optional: present or absent, never in part (a part is left for end() to report).
        Optional<Sha256> sha256 = p.buf.readableBytes() >= FrameDescriptor.SHA256_BYTES
                ? Optional.of(p.sha256()) : Optional.empty();
        return new UploadCommit(p.requestId, uploadId, sha256);
    }

    private static RecordsRequest readRecords(Payload p) {
        int start = p.i32();
        if (start < 0) {
            throw p.malformed("start index " + Integer.toUnsignedString(start) + " is above 2^31-1");
        }
        return new RecordsRequest(p.requestId, start);
    }

    private static RecordsReply readRecordsResult(Payload p) {
        int total = p.i32();
        int n = p.count(RECORD_ENTRY_MIN_BYTES);
        if (total < 0 || Integer.compareUnsigned(n, total) > 0) {
            throw p.malformed(Integer.toUnsignedString(n) + " entries of " + Integer.toUnsignedString(total));
        }
        List<RecordEntry> records = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String id = p.str8();
            double rate = p.f64();
            int samples = p.i32();
            double startTime = p.f64();
            int flags = p.u8();
            long startMillis = p.u64();
            String timeTitle = p.str16();
            int channels = p.u16();
            p.needCount(channels, CHANNEL_ENTRY_MIN_BYTES);
            List<RecordEntry.ChannelEntry> entries = new ArrayList<>(channels);
            for (int c = 0; c < channels; c++) {
                String name = p.str16();
                String unit = p.str16();
                entries.add(new RecordEntry.ChannelEntry(name, unit, p.str16()));
            }
            records.add(new RecordEntry(id, rate, samples, startTime,
                    (flags & RECORD_HAS_START) != 0 ? OptionalLong.of(startMillis) : OptionalLong.empty(),
                    (flags & RECORD_HAS_HEADER) != 0 ? Optional.of(timeTitle) : Optional.empty(), entries));
        }
        return new RecordsReply(p.requestId, total, records);
    }

    private static RangeRequest readRangeStream(Payload p) {
        long from = p.u64();
        long to = p.u64();
        int step = p.i32();
        int window = p.window();
        int chunk = p.i32();
        int[] channels = p.channels();
        String record = p.str8();
        if (from < 0 || to < 0) {
            throw p.malformed("sample indexes must be below 2^63");
        }
        return new RangeRequest(p.requestId, record, from, to, step, window, chunk, channels, p.flag(FLAG_SCALED));
    }

    private static AppendRequest readAppend(Payload p) {
        String record = p.str8();
        double rate = p.f64();
        int channels = p.u16();
        if (channels == 0) {
            throw p.malformed("no channel; a row holds at least one value");
        }
        int rows = p.count(AppendRequest.rowWireBytes(channels));
        double[] times = new double[rows];
        double[] values = new double[rows * channels];
        for (int r = 0, v = 0; r < rows; r++) {
            times[r] = p.buf.readDouble(); // the count was checked against the bytes left
            for (int c = 0; c < channels; c++) {
                values[v++] = p.buf.readDouble();
            }
        }
        return new AppendRequest(p.requestId, record, rate, channels, times, values);
    }

    private static AppendAck readAppendAck(Payload p) {
        long first = p.u64();
        int rows = p.i32();
        if (first < 0 || rows < 0) {
            throw p.malformed("first sample " + Long.toUnsignedString(first) + " or rows "
                    + Integer.toUnsignedString(rows) + " out of range");
        }
        return new AppendAck(p.requestId, first, rows);
    }

    private static SubscribeRequest readSubscribe(Payload p) {
        long from = p.u64();
        int window = p.window();
        int chunk = p.i32();
        int[] channels = p.channels();
        String record = p.str8();
        if (from < 0) {
            throw p.malformed("sample indexes must be below 2^63");
        }
        return new SubscribeRequest(p.requestId, record, from, window, chunk, channels);
    }

    private static EnvelopeRequest readEnvelope(Payload p) {
        long from = p.u64();
        long to = p.u64();
        int buckets = p.i32();
        int[] channels = p.channels();
        String record = p.str8();
        if (from < 0 || to < 0) {
            throw p.malformed("sample indexes must be below 2^63");
        }
        return new EnvelopeRequest(p.requestId, record, from, to, buckets, channels);
    }

    private static EnvelopeReply readEnvelopeResult(Payload p) {
        long buckets = Integer.toUnsignedLong(p.i32());
        int channels = p.u16();
        long values = buckets * channels * EnvelopeReply.VALUES_PER_BUCKET;
        if (values * Double.BYTES > p.buf.readableBytes()) {
            throw p.malformed(buckets + " buckets of " + channels + " channels need " + values * Double.BYTES
                    + " bytes, " + p.buf.readableBytes() + " left");
        }
        double[] v = new double[(int) values];
        for (int i = 0; i < v.length; i++) {
            v[i] = p.f64();
        }
        return new EnvelopeReply(p.requestId, (int) buckets, channels, v);
    }

    private static UploadDone readUploadDone(Payload p) {
        long size = p.u64();
        return new UploadDone(p.requestId, size, p.sha256());
    }

    /** The header of one frame, and its payload's fields read one at a time, each checked against the bytes left. */
    private static final class Payload {
        final ByteBuf buf;
        final MessageType type;
        final int flags;
        final int requestId;

        private Payload(ByteBuf buf, MessageType type, int flags, int requestId) {
            this.buf = buf;
            this.type = type;
            this.flags = flags;
            this.requestId = requestId;
        }

        /**
         * Reads the header of the whole frame in {@code frame} and leaves its reader index at the payload.
         *
         * @throws ProtocolException UNKNOWN_TYPE for a type code this version does not know
         */
        static Payload of(ByteBuf frame) {
            int start = frame.readerIndex();
            int bytes = frame.readableBytes();
            if (bytes < HEADER_BYTES) {
                throw new ProtocolException(ErrorCode.MALFORMED_FRAME, 0,
                        "frame of " + bytes + " bytes is shorter than its " + HEADER_BYTES + "-byte header");
            }
            long length = frame.getUnsignedInt(start + LENGTH_OFFSET);
            if (length != bytes - LENGTH_FIELD_BYTES) {
                throw new ProtocolException(ErrorCode.MALFORMED_FRAME, 0, "the length field counts " + length
                        + " bytes, but " + (bytes - LENGTH_FIELD_BYTES) + " follow it");
            }
            int code = frame.getUnsignedByte(start + TYPE_OFFSET);
            int requestId = frame.getInt(start + REQUEST_ID_OFFSET);
            MessageType type = MessageType.fromCode(code);
            if (type == null) {
                throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, requestId,
                        "unknown frame type " + MessageType.nameOf(code));
            }
            frame.readerIndex(start + PAYLOAD_OFFSET);
            return new Payload(frame, type, frame.getUnsignedByte(start + FLAGS_OFFSET), requestId);
        }

        /** A known type that this side never receives: to it, the type is as unknown as a code no version has. */
        ProtocolException wrongSide(String why) {
            return new ProtocolException(ErrorCode.UNKNOWN_TYPE, requestId, type + " " + why);
        }

        ProtocolException malformed(String why) {
            return new ProtocolException(ErrorCode.MALFORMED_REQUEST, requestId, type + " payload is malformed: " + why);
        }

        /** Every byte of the payload must belong to a field. */
        void end() {
            if (buf.isReadable()) {
                throw malformed(buf.readableBytes() + " unexpected bytes after the payload");
            }
        }

        boolean flag(int bit) {
            return (flags & bit) != 0;
        }

        private void need(int bytes, String field) {
            if (buf.readableBytes() < bytes) {
                throw malformed(field + " needs " + bytes + " bytes, " + buf.readableBytes() + " left");
            }
        }

        int u8() {
            need(1, "u8");
            return buf.readUnsignedByte();
        }

        int u16() {
            need(2, "u16");
            return buf.readUnsignedShort();
        }

        int i32() {
            need(4, "u32");
            return buf.readInt();
        }

        long u64() {
            need(8, "u64");
            return buf.readLong();
        }

        double f64() {
            need(8, "f64");
            return buf.readDouble();
        }

        /** A u32 element count, checked against the bytes left before anything is allocated for it. */
        int count(int elementBytes) {
            long n = Integer.toUnsignedLong(i32());
            if (n * elementBytes > buf.readableBytes()) {
                throw malformed("count " + n + " needs " + n * elementBytes + " bytes, " + buf.readableBytes()
                        + " left");
            }
            return (int) n;
        }

        /** Checks that {@code n} elements of at least {@code elementBytes} each can be in the bytes left. */
        void needCount(int n, int elementBytes) {
            if ((long) n * elementBytes > buf.readableBytes()) {
                throw malformed("count " + n + " needs " + (long) n * elementBytes + " bytes, " + buf.readableBytes()
                        + " left");
            }
        }

        /** A u16 count of channel numbers, at least one, then that many u16. */
        /** A stream's credit: a u32 on the wire that must fit in 2^31-1 (READ_STREAM, RANGE_STREAM). */
        int window() {
            int window = i32();
            if (window < 0) {
                throw malformed("window " + Integer.toUnsignedString(window) + " is above 2^31-1");
            }
            return window;
        }

        int[] channels() {
            int n = u16();
            if (n == 0) {
                throw malformed("no channel; name at least one");
            }
            needCount(n, CHANNEL_NUMBER_BYTES);
            int[] channels = new int[n];
            for (int i = 0; i < n; i++) {
                channels[i] = buf.readUnsignedShort();
            }
            return channels;
        }

        Sha256 sha256() {
            need(FrameDescriptor.SHA256_BYTES, "sha256");
            byte[] b = new byte[FrameDescriptor.SHA256_BYTES];
            buf.readBytes(b);
            return new Sha256(b);
        }

        /** The rest of the frame, as a retained slice: bulk data is never copied. */
        ByteBuf rest() {
            return buf.readRetainedSlice(buf.readableBytes());
        }

        String str8() {
            return utf8(u8());
        }

        String str16() {
            return utf8(u16());
        }

        private String utf8(int n) {
            need(n, "string");
            if (isAscii(n)) {
                // The common case (record ids, plain file names) without a decoder per request.
                String s = buf.toString(buf.readerIndex(), n, StandardCharsets.US_ASCII);
                buf.skipBytes(n);
                return s;
            }
            ByteBuffer bytes = buf.nioBuffer(buf.readerIndex(), n);
            buf.skipBytes(n);
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(bytes).toString();
            } catch (CharacterCodingException e) {
                throw malformed("string is not valid UTF-8");
            }
        }

        private boolean isAscii(int n) {
            int start = buf.readerIndex();
            for (int i = 0; i < n; i++) {
                if (buf.getByte(start + i) < 0) {
                    return false;
                }
            }
            return true;
        }
    }
}
