package dev.courier.protocol;

import static dev.courier.protocol.FrameDescriptor.FLAG_CRC;
import static dev.courier.protocol.FrameDescriptor.FLAG_LAST;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns messages into frames and frames into messages. Works on buffers only; it knows nothing about
 * channels or sockets. Every field read is checked against the bytes that are actually there, so a truncated
 * or lying payload becomes a {@link ProtocolException} and never an out-of-bounds read or a huge allocation.
 *
 * <p>Payload layouts (after the 10-byte header of {@link FrameDescriptor}); {@code str8}/{@code str16} are a
 * u8/u16 byte count followed by that many bytes of UTF-8:
 * <pre>
 *  HELLO              magic u32, version u16, maxFrameBytes u32, maxChunkBytes u32
 *  PING, PONG         token u64
 *  ERROR              code u16, message str16
 *  POINT              channel u16, time f64, record str8
 *  POINT_VALUE        value f64, sampleIndex u32, sampleTime f64
 *  POINT_BATCH        channel u16, record str8, count u32, count x time f64
 *  POINT_BATCH_VALUES count u32, count x (sampleIndex u32, sampleTime f64, value f64)
 *  LIST               path str16
 *  LISTING            count u32, count x (kind u8, size u64, modifiedMillis i64, name str16)
 *  STAT               name str16
 *  STAT_RESULT        size u64, modifiedMillis i64
 *  READ               offset u64, length u32, name str16
 *  CHUNK              offset u64, crc32c u32, data (rest of frame); flags: 0x01 last, 0x02 crc present
 *  DIGEST             name str16; flags: 0x04 recompute
 *  DIGEST_RESULT      size u64, modifiedMillis i64, sha256 [32]
 *  UPLOAD_BEGIN       size u64, sha256 [32], name str16
 *  UPLOAD_READY       uploadId u64, maxWriteBytes u32, count u32, count x (offset u64, length u64)
 *  UPLOAD_WRITE       uploadId u64, offset u64, crc32c u32, data (rest of frame)
 *  UPLOAD_ACK         offset u64, length u32
 *  UPLOAD_COMMIT      uploadId u64
 *  UPLOAD_DONE        size u64, sha256 [32]
 * </pre>
 */
public final class MessageCodec {
    /** Bytes of one entry in a POINT_BATCH_VALUES payload. */
    public static final int BATCH_VALUE_BYTES = 4 + 8 + 8;
    private static final int ENTRY_FIXED_BYTES = 1 + 8 + 8 + 2;

    private MessageCodec() {
    }

    /** Appends the whole frame for {@code message}, length field included, to {@code out}. */
    public static void encode(Message message, ByteBuf out) {
        int start = out.writerIndex();
        out.writeInt(0); // length, patched below
        switch (message) {
            case Hello m -> {
                header(out, MessageType.HELLO, 0, m.requestId());
                out.writeInt(FrameDescriptor.MAGIC);
                out.writeShort(m.version());
                out.writeInt(m.maxFrameBytes());
                out.writeInt(m.maxChunkBytes());
            }
            case Ping m -> {
                header(out, MessageType.PING, 0, m.requestId());
                out.writeLong(m.token());
            }
            case Pong m -> {
                header(out, MessageType.PONG, 0, m.requestId());
                out.writeLong(m.token());
            }
            case ErrorReply m -> {
                header(out, MessageType.ERROR, 0, m.requestId());
                out.writeShort(m.code().code());
                writeStr16(out, m.message());
            }
            case PointRequest m -> {
                header(out, MessageType.POINT, 0, m.requestId());
                out.writeShort(m.channel());
                out.writeDouble(m.timeSeconds());
                writeStr8(out, m.record());
            }
            case PointReply m -> {
                header(out, MessageType.POINT_VALUE, 0, m.requestId());
                out.writeDouble(m.value());
                out.writeInt(m.sampleIndex());
                out.writeDouble(m.sampleTimeSeconds());
            }
            case PointBatchRequest m -> {
                header(out, MessageType.POINT_BATCH, 0, m.requestId());
                out.writeShort(m.channel());
                writeStr8(out, m.record());
                out.writeInt(m.timesSeconds().length);
                for (double t : m.timesSeconds()) {
                    out.writeDouble(t);
                }
            }
            case PointBatchReply m -> {
                header(out, MessageType.POINT_BATCH_VALUES, 0, m.requestId());
                int n = m.size();
                out.ensureWritable(4 + n * BATCH_VALUE_BYTES);
                out.writeInt(n);
                for (int i = 0; i < n; i++) {
                    out.writeInt(m.sampleIndexes()[i]);
                    out.writeDouble(m.sampleTimesSeconds()[i]);
                    out.writeDouble(m.values()[i]);
                }
            }
            case ListRequest m -> {
                header(out, MessageType.LIST, 0, m.requestId());
                writeStr16(out, m.path());
            }
            case ListReply m -> {
                header(out, MessageType.LISTING, 0, m.requestId());
                out.writeInt(m.entries().size());
                for (FileEntry e : m.entries()) {
                    out.writeByte(e.directory() ? 1 : 0);
                    out.writeLong(e.sizeBytes());
                    out.writeLong(e.modifiedMillis());
                    writeStr16(out, e.name());
                }
            }
            case StatRequest m -> {
                header(out, MessageType.STAT, 0, m.requestId());
                writeStr16(out, m.name());
            }
            case StatReply m -> {
                header(out, MessageType.STAT_RESULT, 0, m.requestId());
                out.writeLong(m.sizeBytes());
                out.writeLong(m.modifiedMillis());
            }
            case ReadRequest m -> {
                header(out, MessageType.READ, 0, m.requestId());
                out.writeLong(m.offsetBytes());
                out.writeInt(m.lengthBytes());
                writeStr16(out, m.name());
            }
            case ChunkReply m -> {
                header(out, MessageType.CHUNK, chunkFlags(m.last(), m.hasCrc()), m.requestId());
                out.writeLong(m.offsetBytes());
                out.writeInt(m.crc32c());
                out.writeBytes(m.data(), m.data().readerIndex(), m.data().readableBytes());
            }
            case DigestRequest m -> {
                header(out, MessageType.DIGEST, m.recompute() ? FrameDescriptor.FLAG_RECOMPUTE : 0, m.requestId());
                writeStr16(out, m.name());
            }
            case DigestReply m -> {
                header(out, MessageType.DIGEST_RESULT, 0, m.requestId());
                out.writeLong(m.sizeBytes());
                out.writeLong(m.modifiedMillis());
                out.writeBytes(m.sha256().bytes());
            }
            case UploadBegin m -> {
                header(out, MessageType.UPLOAD_BEGIN, 0, m.requestId());
                out.writeLong(m.sizeBytes());
                out.writeBytes(m.sha256().bytes());
                writeStr16(out, m.name());
            }
            case UploadReady m -> {
                header(out, MessageType.UPLOAD_READY, 0, m.requestId());
                out.writeLong(m.uploadId());
                out.writeInt(m.maxWriteBytes());
                out.writeInt(m.received().size());
                for (ByteRange r : m.received()) {
                    out.writeLong(r.offsetBytes());
                    out.writeLong(r.lengthBytes());
                }
            }
            case UploadWrite m -> {
                header(out, MessageType.UPLOAD_WRITE, 0, m.requestId());
                out.writeLong(m.uploadId());
                out.writeLong(m.offsetBytes());
                out.writeInt(m.crc32c());
                out.writeBytes(m.data(), m.data().readerIndex(), m.data().readableBytes());
            }
            case UploadAck m -> {
                header(out, MessageType.UPLOAD_ACK, 0, m.requestId());
                out.writeLong(m.offsetBytes());
                out.writeInt(m.lengthBytes());
            }
            case UploadCommit m -> {
                header(out, MessageType.UPLOAD_COMMIT, 0, m.requestId());
                out.writeLong(m.uploadId());
            }
            case UploadDone m -> {
                header(out, MessageType.UPLOAD_DONE, 0, m.requestId());
                out.writeLong(m.sizeBytes());
                out.writeBytes(m.sha256().bytes());
            }
        }
        out.setInt(start, out.writerIndex() - start - FrameDescriptor.LENGTH_FIELD_BYTES);
    }

    /**
     * Writes the header and prefix of a CHUNK whose {@code dataBytes} of data follow separately (for example as
     * a zero-copy file region).
     */
    public static void encodeChunkHeader(ByteBuf out, int requestId, long offsetBytes, int dataBytes,
                                         boolean last, boolean hasCrc, int crc32c) {
        out.writeInt(FrameDescriptor.CHUNK_OVERHEAD_BYTES - FrameDescriptor.LENGTH_FIELD_BYTES + dataBytes);
        header(out, MessageType.CHUNK, chunkFlags(last, hasCrc), requestId);
        out.writeLong(offsetBytes);
        out.writeInt(crc32c);
    }

    /**
     * Writes the header and prefix of an UPLOAD_WRITE whose {@code dataBytes} of data follow separately.
     */
    public static void encodeUploadWriteHeader(ByteBuf out, int requestId, long uploadId, long offsetBytes,
                                               int dataBytes, int crc32c) {
        out.writeInt(FrameDescriptor.UPLOAD_WRITE_OVERHEAD_BYTES - FrameDescriptor.LENGTH_FIELD_BYTES + dataBytes);
        header(out, MessageType.UPLOAD_WRITE, 0, requestId);
        out.writeLong(uploadId);
        out.writeLong(offsetBytes);
        out.writeInt(crc32c);
    }

    /**
     * Decodes one frame. {@code frame} holds exactly the bytes after the length field (type, flags, request id,
     * payload). A CHUNK's data is a retained slice of {@code frame}; everything else is copied out.
     *
     * @throws ProtocolException with {@link ErrorCode#UNKNOWN_TYPE} for a type this version does not know, and
     *                           {@link ErrorCode#MALFORMED_REQUEST} (carrying the request id) for a payload
     *                           that does not fit its type
     */
    public static Message decode(ByteBuf frame) {
        if (frame.readableBytes() < FrameDescriptor.MIN_FRAME_LENGTH) {
            throw new ProtocolException(ErrorCode.MALFORMED_FRAME, 0,
                    "frame of " + frame.readableBytes() + " bytes is shorter than its header");
        }
        int type = frame.readUnsignedByte();
        int flags = frame.readUnsignedByte();
        int id = frame.readInt();
        Payload p = new Payload(frame, type, id);
        Message m = switch (type) {
            case MessageType.HELLO -> decodeHello(p, id);
            case MessageType.PING -> new Ping(id, p.u64());
            case MessageType.PONG -> new Pong(id, p.u64());
            case MessageType.ERROR -> decodeError(p, id);
            case MessageType.POINT -> {
                int channel = p.u16();
                double time = p.f64();
                yield new PointRequest(id, p.str8(), time, channel);
            }
            case MessageType.POINT_VALUE -> new PointReply(id, p.f64(), p.i32(), p.f64());
            case MessageType.POINT_BATCH -> {
                int channel = p.u16();
                String record = p.str8();
                int n = p.count(8);
                double[] times = new double[n];
                for (int i = 0; i < n; i++) {
                    times[i] = frame.readDouble();
                }
                yield new PointBatchRequest(id, record, channel, times);
            }
            case MessageType.POINT_BATCH_VALUES -> {
                int n = p.count(BATCH_VALUE_BYTES);
                int[] idx = new int[n];
                double[] times = new double[n];
                double[] values = new double[n];
                for (int i = 0; i < n; i++) {
                    idx[i] = frame.readInt();
                    times[i] = frame.readDouble();
                    values[i] = frame.readDouble();
                }
                yield new PointBatchReply(id, idx, times, values);
            }
            case MessageType.LIST -> new ListRequest(id, p.str16());
            case MessageType.LISTING -> {
                int n = p.count(ENTRY_FIXED_BYTES);
                List<FileEntry> entries = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    boolean dir = p.u8() == 1;
                    long size = p.u64();
                    long mtime = p.u64();
                    entries.add(new FileEntry(p.str16(), dir, size, mtime));
                }
                yield new ListReply(id, entries);
            }
            case MessageType.STAT -> new StatRequest(id, p.str16());
            case MessageType.STAT_RESULT -> new StatReply(id, p.u64(), p.u64());
            case MessageType.READ -> {
                long offset = p.u64();
                int length = p.i32();
                yield new ReadRequest(id, p.str16(), offset, length);
            }
            case MessageType.CHUNK -> {
                long offset = p.u64();
                int crc = p.i32();
                ByteBuf data = frame.readRetainedSlice(frame.readableBytes());
                yield new ChunkReply(id, offset, (flags & FLAG_LAST) != 0, (flags & FLAG_CRC) != 0, crc, data);
            }
            case MessageType.DIGEST -> new DigestRequest(id, p.str16(), (flags & FrameDescriptor.FLAG_RECOMPUTE) != 0);
            case MessageType.DIGEST_RESULT -> {
                long size = p.u64();
                long mtime = p.u64();
                yield new DigestReply(id, size, mtime, p.sha256());
            }
            case MessageType.UPLOAD_BEGIN -> {
                long size = p.u64();
                Sha256 sha = p.sha256();
                String name = p.str16();
                if (size < 0) {
                    throw p.malformed("size " + Long.toUnsignedString(size) + " is out of range");
                }
                yield new UploadBegin(id, name, size, sha);
            }
            case MessageType.UPLOAD_READY -> {
                long uploadId = p.u64();
                int maxWrite = p.i32();
                int n = p.count(16);
                List<ByteRange> ranges = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    long offset = p.u64();
                    long length = p.u64();
                    if (offset < 0 || length < 0) {
                        throw p.malformed("range out of bounds");
                    }
                    ranges.add(new ByteRange(offset, length));
                }
                yield new UploadReady(id, uploadId, maxWrite, ranges);
            }
            case MessageType.UPLOAD_WRITE -> {
                long uploadId = p.u64();
                long offset = p.u64();
                int crc = p.i32();
                yield new UploadWrite(id, uploadId, offset, crc, frame.readRetainedSlice(frame.readableBytes()));
            }
            case MessageType.UPLOAD_ACK -> new UploadAck(id, p.u64(), p.i32());
            case MessageType.UPLOAD_COMMIT -> new UploadCommit(id, p.u64());
            case MessageType.UPLOAD_DONE -> {
                long size = p.u64();
                yield new UploadDone(id, size, p.sha256());
            }
            default -> throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, id,
                    "unknown frame type " + MessageType.name(type));
        };
        if (frame.isReadable()) {
            if (m instanceof ChunkReply c) {
                c.release();
            }
            throw p.malformed(frame.readableBytes() + " unexpected bytes after the payload");
        }
        return m;
    }

    private static Hello decodeHello(Payload p, int id) {
        int magic = p.i32();
        if (magic != FrameDescriptor.MAGIC) {
            throw new ProtocolException(ErrorCode.BAD_MAGIC, id,
                    String.format("bad magic 0x%08x, expected 0x%08x (\"COUR\")", magic, FrameDescriptor.MAGIC));
        }
        int version = p.u16();
        int maxFrame = p.i32();
        int maxChunk = p.i32();
        if (maxFrame < FrameDescriptor.MIN_FRAME_LENGTH || maxChunk < 1) {
            throw p.malformed("limits must be positive, got maxFrameBytes=" + Integer.toUnsignedString(maxFrame)
                    + " maxChunkBytes=" + Integer.toUnsignedString(maxChunk));
        }
        return new Hello(id, version, maxFrame, maxChunk);
    }

    private static ErrorReply decodeError(Payload p, int id) {
        int code = p.u16();
        String text = p.str16();
        ErrorCode known = ErrorCode.fromCode(code);
        if (known == null) {
            // A newer peer's code: keep the text, report the failure as internal rather than dropping it.
            return new ErrorReply(id, ErrorCode.INTERNAL, "error code " + code + ": " + text);
        }
        return new ErrorReply(id, known, text);
    }

    private static int chunkFlags(boolean last, boolean hasCrc) {
        return (last ? FLAG_LAST : 0) | (hasCrc ? FLAG_CRC : 0);
    }

    private static void header(ByteBuf out, int type, int flags, int requestId) {
        out.writeByte(type);
        out.writeByte(flags);
        out.writeInt(requestId);
    }

    private static void writeStr8(ByteBuf out, String s) {
        int lengthIndex = out.writerIndex();
        out.writeByte(0);
        int n = out.writeCharSequence(s, StandardCharsets.UTF_8);
        if (n > 0xFF) {
            throw new IllegalArgumentException("string longer than 255 UTF-8 bytes: " + s);
        }
        out.setByte(lengthIndex, n);
    }

    private static void writeStr16(ByteBuf out, String s) {
        int lengthIndex = out.writerIndex();
        out.writeShort(0);
        int n = out.writeCharSequence(s, StandardCharsets.UTF_8);
        if (n > 0xFFFF) {
            throw new IllegalArgumentException("string longer than 65535 UTF-8 bytes");
        }
        out.setShort(lengthIndex, n);
    }

    /** Reads fields of one payload, checking each against the bytes that are left. */
    private record Payload(ByteBuf buf, int type, int requestId) {
        ProtocolException malformed(String why) {
            return new ProtocolException(ErrorCode.MALFORMED_REQUEST, requestId,
                    MessageType.name(type) + " payload is malformed: " + why);
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

        Sha256 sha256() {
            need(FrameDescriptor.SHA256_BYTES, "sha256");
            byte[] b = new byte[FrameDescriptor.SHA256_BYTES];
            buf.readBytes(b);
            return new Sha256(b);
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
