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
import java.nio.charset.StandardCharsets;

/**
 * Writes messages as frames, the mirror of {@link MessageReader}: one small method per frame type (the payloads are
 * drawn in {@link MessageType}), and the frame header written at the offsets of {@link FrameDescriptor}. Writes
 * whichever message it is given, request or reply: which side sends what is the handlers' business, and a test may
 * need to send what a correct peer never would. Works on buffers only; stateless and thread-safe.
 *
 * <p>The frames of bulk data (CHUNK, UPLOAD_WRITE) can also be written as their header alone
 * ({@link #writeChunkHeader}, {@link #writeUploadWriteHeader}, {@link #writeHeader}), for the data to follow as a
 * buffer or file region of its own, never copied.
 */
public final class MessageWriter {
    private MessageWriter() {
    }

    /**
     * Appends the whole frame of {@code message}, length field included, to {@code out}.
     *
     * @throws IllegalArgumentException for a string longer than its length field can count (the bytes written so far
     *                                  stay in {@code out}: whoever batches frames resets its writer index)
     */
    public static void write(Message message, ByteBuf out) {
        switch (message) {
            case Hello m -> writeHello(m, out);
            case Ping m -> writePing(m, out);
            case Pong m -> writePong(m, out);
            case ErrorReply m -> writeError(m, out);
            case PointRequest m -> writePoint(m, out);
            case PointReply m -> writePointValue(m, out);
            case PointBatchRequest m -> writePointBatch(m, out);
            case PointBatchReply m -> writePointBatchValues(m, out);
            case ListRequest m -> writeList(m, out);
            case ListReply m -> writeListing(m, out);
            case StatRequest m -> writeStat(m, out);
            case StatReply m -> writeStatResult(m, out);
            case ReadRequest m -> writeRead(m, out);
            case ChunkReply m -> writeChunk(m, out);
            case DigestRequest m -> writeDigest(m, out);
            case DigestReply m -> writeDigestResult(m, out);
            case StreamRequest m -> writeReadStream(m, out);
            case WindowUpdate m -> writeWindow(m, out);
            case CancelStream m -> writeCancel(m, out);
            case UploadBegin m -> writeUploadBegin(m, out);
            case UploadReady m -> writeUploadReady(m, out);
            case UploadWrite m -> writeUploadWrite(m, out);
            case UploadAck m -> writeUploadAck(m, out);
            case UploadCommit m -> writeUploadCommit(m, out);
            case UploadDone m -> writeUploadDone(m, out);
            case RecordsRequest m -> writeRecords(m, out);
            case RecordsReply m -> writeRecordsResult(m, out);
            case RangeRequest m -> writeRangeStream(m, out);
            case EnvelopeRequest m -> writeEnvelope(m, out);
            case EnvelopeReply m -> writeEnvelopeResult(m, out);
            case AppendRequest m -> writeAppend(m, out);
            case AppendAck m -> writeAppendAck(m, out);
            case SubscribeRequest m -> writeSubscribe(m, out);
        }
    }

    /** Writes the header and prefix of {@code message}, whose data then follows on its own. */
    public static void writeHeader(BulkMessage message, ByteBuf out) {
        switch (message) {
            case ChunkReply m -> writeChunkHeader(m.requestId(), m.offsetBytes(), m.lengthBytes(), m.last(), m.end(),
                    m.hasCrc(), m.scaled(), m.crc32c(), out);
            case UploadWrite m -> writeUploadWriteHeader(m.requestId(), m.uploadId(), m.offsetBytes(), m.lengthBytes(),
                    m.crc32c(), out);
        }
    }

    /**
     * Writes the header and prefix of a CHUNK whose {@code dataBytes} of data follow separately (for example as a
     * zero-copy file region). {@code end} marks a stream's final frame.
     */
    public static void writeChunkHeader(int requestId, long offsetBytes, int dataBytes, boolean last, boolean end,
                                        boolean hasCrc, int crc32c, ByteBuf out) {
        writeChunkHeader(requestId, offsetBytes, dataBytes, last, end, hasCrc, false, crc32c, out);
    }

    /** As the one above; {@code scaled} marks a range chunk of scaled i16 rows (flag SCALED). */
    public static void writeChunkHeader(int requestId, long offsetBytes, int dataBytes, boolean last, boolean end,
                                        boolean hasCrc, boolean scaled, int crc32c, ByteBuf out) {
        int flags = (last ? FLAG_LAST : 0) | (end ? FLAG_END : 0) | (hasCrc ? FLAG_CRC : 0)
                | (scaled ? FLAG_SCALED : 0);
        int start = beginFrame(out, MessageType.CHUNK, flags, requestId);
        out.writeLong(offsetBytes);
        out.writeInt(crc32c);
        endFrame(out, start, dataBytes);
    }

    /** Writes the header and prefix of an UPLOAD_WRITE whose {@code dataBytes} of data follow separately. */
    public static void writeUploadWriteHeader(int requestId, long uploadId, long offsetBytes, int dataBytes,
                                              int crc32c, ByteBuf out) {
        int start = beginFrame(out, MessageType.UPLOAD_WRITE, 0, requestId);
        out.writeLong(uploadId);
        out.writeLong(offsetBytes);
        out.writeInt(crc32c);
        endFrame(out, start, dataBytes);
    }

    private static void writeHello(Hello m, ByteBuf out) {
        int start = beginFrame(out, MessageType.HELLO, 0, m.requestId());
        out.writeInt(FrameDescriptor.MAGIC);
        out.writeShort(m.version());
        out.writeInt(m.maxFrameBytes());
        out.writeInt(m.maxChunkBytes());
        if (m.token().isPresent()) {
            writeStr16(m.token().get().value(), out);
        }
        endFrame(out, start, 0);
    }

    private static void writePing(Ping m, ByteBuf out) {
        int start = beginFrame(out, MessageType.PING, 0, m.requestId());
        out.writeLong(m.token());
        endFrame(out, start, 0);
    }

    private static void writePong(Pong m, ByteBuf out) {
        int start = beginFrame(out, MessageType.PONG, 0, m.requestId());
        out.writeLong(m.token());
        endFrame(out, start, 0);
    }

    private static void writeError(ErrorReply m, ByteBuf out) {
        int start = beginFrame(out, MessageType.ERROR, 0, m.requestId());
        out.writeShort(m.code().code());
        writeStr16(m.message(), out);
        if (m.hasRetryAfter()) {
            out.writeInt((int) m.retryAfterMillis());
        }
        endFrame(out, start, 0);
    }

    private static void writePoint(PointRequest m, ByteBuf out) {
        int start = beginFrame(out, MessageType.POINT, 0, m.requestId());
        out.writeShort(m.channel());
        out.writeDouble(m.timeSeconds());
        writeStr8(m.record(), out);
        endFrame(out, start, 0);
    }

    private static void writePointValue(PointReply m, ByteBuf out) {
        writePointValue(m.requestId(), m.value(), m.sampleIndex(), m.sampleTimeSeconds(), out);
    }

    /**
     * Appends a POINT_VALUE frame made of its fields, as {@link #write} does for a {@link PointReply}: the server
     * answers every point this way, so a point costs no reply object.
     */
    public static void writePointValue(int requestId, double value, int sampleIndex, double sampleTimeSeconds,
                                       ByteBuf out) {
        int start = beginFrame(out, MessageType.POINT_VALUE, 0, requestId);
        out.writeDouble(value);
        out.writeInt(sampleIndex);
        out.writeDouble(sampleTimeSeconds);
        endFrame(out, start, 0);
    }

    private static void writePointBatch(PointBatchRequest m, ByteBuf out) {
        int start = beginFrame(out, MessageType.POINT_BATCH, 0, m.requestId());
        out.writeShort(m.channel());
        writeStr8(m.record(), out);
        out.writeInt(m.timesSeconds().length);
        for (double t : m.timesSeconds()) {
            out.writeDouble(t);
        }
        endFrame(out, start, 0);
    }

    private static void writePointBatchValues(PointBatchReply m, ByteBuf out) {
        int start = beginFrame(out, MessageType.POINT_BATCH_VALUES, 0, m.requestId());
        int n = m.size();
        out.ensureWritable(4 + n * FrameDescriptor.BATCH_VALUE_BYTES);
        out.writeInt(n);
        for (int i = 0; i < n; i++) {
            out.writeInt(m.sampleIndexes()[i]);
            out.writeDouble(m.sampleTimesSeconds()[i]);
            out.writeDouble(m.values()[i]);
        }
        endFrame(out, start, 0);
    }

    private static void writeList(ListRequest m, ByteBuf out) {
        int start = beginFrame(out, MessageType.LIST, 0, m.requestId());
        writeStr16(m.path(), out);
        endFrame(out, start, 0);
    }

    private static void writeListing(ListReply m, ByteBuf out) {
        int start = beginFrame(out, MessageType.LISTING, 0, m.requestId());
        out.writeInt(m.entries().size());
        for (FileEntry e : m.entries()) {
            out.writeByte(e.directory() ? 1 : 0);
            out.writeLong(e.sizeBytes());
            out.writeLong(e.modifiedMillis());
            writeStr16(e.name(), out);
        }
        endFrame(out, start, 0);
    }

    private static void writeStat(StatRequest m, ByteBuf out) {
        int start = beginFrame(out, MessageType.STAT, 0, m.requestId());
        writeStr16(m.name(), out);
        endFrame(out, start, 0);
    }

    private static void writeStatResult(StatReply m, ByteBuf out) {
        int start = beginFrame(out, MessageType.STAT_RESULT, 0, m.requestId());
        out.writeLong(m.sizeBytes());
        out.writeLong(m.modifiedMillis());
        endFrame(out, start, 0);
    }

    private static void writeRead(ReadRequest m, ByteBuf out) {
        int start = beginFrame(out, MessageType.READ, m.refetch() ? FLAG_REFETCH : 0, m.requestId());
        out.writeLong(m.offsetBytes());
        out.writeInt(m.lengthBytes());
        writeStr16(m.name(), out);
        endFrame(out, start, 0);
    }

    private static void writeChunk(ChunkReply m, ByteBuf out) {
        writeHeader(m, out);
        out.writeBytes(m.data(), m.data().readerIndex(), m.data().readableBytes());
    }

    private static void writeDigest(DigestRequest m, ByteBuf out) {
        int start = beginFrame(out, MessageType.DIGEST, m.recompute() ? FLAG_RECOMPUTE : 0, m.requestId());
        writeStr16(m.name(), out);
        endFrame(out, start, 0);
    }

    private static void writeDigestResult(DigestReply m, ByteBuf out) {
        int start = beginFrame(out, MessageType.DIGEST_RESULT, 0, m.requestId());
        out.writeLong(m.sizeBytes());
        out.writeLong(m.modifiedMillis());
        out.writeBytes(m.sha256().bytes());
        endFrame(out, start, 0);
    }

    private static void writeReadStream(StreamRequest m, ByteBuf out) {
        int start = beginFrame(out, MessageType.READ_STREAM, m.refetch() ? FLAG_REFETCH : 0, m.requestId());
        out.writeLong(m.offsetBytes());
        out.writeLong(m.lengthBytes());
        out.writeInt(m.windowBytes());
        out.writeInt(m.chunkBytes());
        out.writeLong(m.sizeBytes());
        out.writeLong(m.modifiedMillis());
        writeStr16(m.name(), out);
        endFrame(out, start, 0);
    }

    private static void writeWindow(WindowUpdate m, ByteBuf out) {
        int start = beginFrame(out, MessageType.WINDOW, 0, m.requestId());
        out.writeInt(m.incrementBytes());
        endFrame(out, start, 0);
    }

    private static void writeCancel(CancelStream m, ByteBuf out) {
        int start = beginFrame(out, MessageType.CANCEL, 0, m.requestId());
        endFrame(out, start, 0);
    }

    private static void writeUploadBegin(UploadBegin m, ByteBuf out) {
        int start = beginFrame(out, MessageType.UPLOAD_BEGIN, 0, m.requestId());
        out.writeLong(m.sizeBytes());
        out.writeBytes(m.sha256().bytes());
        writeStr16(m.name(), out);
        endFrame(out, start, 0);
    }

    private static void writeUploadReady(UploadReady m, ByteBuf out) {
        int start = beginFrame(out, MessageType.UPLOAD_READY, 0, m.requestId());
        out.writeLong(m.uploadId());
        out.writeInt(m.maxWriteBytes());
        out.writeInt(m.received().size());
        for (ByteRange r : m.received()) {
            out.writeLong(r.offsetBytes());
            out.writeLong(r.lengthBytes());
        }
        endFrame(out, start, 0);
    }

    private static void writeUploadWrite(UploadWrite m, ByteBuf out) {
        writeHeader(m, out);
        out.writeBytes(m.data(), m.data().readerIndex(), m.data().readableBytes());
    }

    private static void writeUploadAck(UploadAck m, ByteBuf out) {
        int start = beginFrame(out, MessageType.UPLOAD_ACK, 0, m.requestId());
        out.writeLong(m.offsetBytes());
        out.writeInt(m.lengthBytes());
        endFrame(out, start, 0);
    }

    private static void writeUploadCommit(UploadCommit m, ByteBuf out) {
        int start = beginFrame(out, MessageType.UPLOAD_COMMIT, 0, m.requestId());
        out.writeLong(m.uploadId());
        m.sha256().ifPresent(sha -> out.writeBytes(sha.bytes()));
        endFrame(out, start, 0);
    }

    private static void writeUploadDone(UploadDone m, ByteBuf out) {
        int start = beginFrame(out, MessageType.UPLOAD_DONE, 0, m.requestId());
        out.writeLong(m.sizeBytes());
        out.writeBytes(m.sha256().bytes());
        endFrame(out, start, 0);
    }

    private static void writeRecords(RecordsRequest m, ByteBuf out) {
        int start = beginFrame(out, MessageType.RECORDS, 0, m.requestId());
        out.writeInt(m.startIndex());
        endFrame(out, start, 0);
    }

    private static void writeRecordsResult(RecordsReply m, ByteBuf out) {
        int start = beginFrame(out, MessageType.RECORDS_RESULT, 0, m.requestId());
        out.writeInt(m.totalRecords());
        out.writeInt(m.records().size());
        for (RecordEntry r : m.records()) {
            writeRecordEntry(r, out);
        }
        endFrame(out, start, 0);
    }

    private static void writeRecordEntry(RecordEntry r, ByteBuf out) {
        writeStr8(r.id(), out);
        out.writeDouble(r.rateHz());
        out.writeInt(r.sampleCount());
        out.writeDouble(r.startTimeSeconds());
        out.writeByte((r.timeTitle().isPresent() ? MessageReader.RECORD_HAS_HEADER : 0)
                | (r.startUnixMillis().isPresent() ? MessageReader.RECORD_HAS_START : 0));
        out.writeLong(r.startUnixMillis().orElse(0));
        writeStr16(r.timeTitle().orElse(""), out);
        out.writeShort(r.channels().size());
        for (RecordEntry.ChannelEntry c : r.channels()) {
            writeStr16(c.name(), out);
            writeStr16(c.unit(), out);
            writeStr16(c.title(), out);
        }
    }

    private static void writeRangeStream(RangeRequest m, ByteBuf out) {
        int start = beginFrame(out, MessageType.RANGE_STREAM, m.scaled() ? FLAG_SCALED : 0, m.requestId());
        out.writeLong(m.fromSample());
        out.writeLong(m.toSample());
        out.writeInt(m.step());
        out.writeInt(m.windowBytes());
        out.writeInt(m.chunkBytes());
        writeChannels(m.channels(), out);
        writeStr8(m.record(), out);
        endFrame(out, start, 0);
    }

    private static void writeEnvelope(EnvelopeRequest m, ByteBuf out) {
        int start = beginFrame(out, MessageType.ENVELOPE, 0, m.requestId());
        out.writeLong(m.fromSample());
        out.writeLong(m.toSample());
        out.writeInt(m.buckets());
        writeChannels(m.channels(), out);
        writeStr8(m.record(), out);
        endFrame(out, start, 0);
    }

    private static void writeAppend(AppendRequest m, ByteBuf out) {
        int start = beginFrame(out, MessageType.APPEND, 0, m.requestId());
        writeStr8(m.record(), out);
        out.ensureWritable(AppendRequest.FIXED_BYTES + m.rows() * AppendRequest.rowWireBytes(m.channelCount()));
        out.writeDouble(m.rateHz());
        out.writeShort(m.channelCount());
        out.writeInt(m.rows());
        double[] values = m.values();
        for (int r = 0, v = 0; r < m.rows(); r++) {
            out.writeDouble(m.timesSeconds()[r]);
            for (int c = 0; c < m.channelCount(); c++) {
                out.writeDouble(values[v++]);
            }
        }
        endFrame(out, start, 0);
    }

    private static void writeAppendAck(AppendAck m, ByteBuf out) {
        int start = beginFrame(out, MessageType.APPEND_ACK, 0, m.requestId());
        out.writeLong(m.firstSample());
        out.writeInt(m.rows());
        endFrame(out, start, 0);
    }

    private static void writeSubscribe(SubscribeRequest m, ByteBuf out) {
        int start = beginFrame(out, MessageType.SUBSCRIBE, 0, m.requestId());
        out.writeLong(m.fromSample());
        out.writeInt(m.windowBytes());
        out.writeInt(m.chunkBytes());
        writeChannels(m.channels(), out);
        writeStr8(m.record(), out);
        endFrame(out, start, 0);
    }

    private static void writeChannels(int[] channels, ByteBuf out) {
        out.writeShort(channels.length);
        for (int c : channels) {
            out.writeShort(c);
        }
    }

    private static void writeEnvelopeResult(EnvelopeReply m, ByteBuf out) {
        int start = beginFrame(out, MessageType.ENVELOPE_RESULT, 0, m.requestId());
        out.ensureWritable(6 + m.values().length * Double.BYTES);
        out.writeInt(m.bucketCount());
        out.writeShort(m.channelCount());
        for (double v : m.values()) {
            out.writeDouble(v);
        }
        endFrame(out, start, 0);
    }

    /**
     * Writes the type, flags and request id of a frame and leaves the writer index at its payload; the length field
     * is filled in by {@link #endFrame}, once the payload's size is known.
     *
     * @return where the frame starts in {@code out}
     */
    private static int beginFrame(ByteBuf out, MessageType type, int flags, int requestId) {
        int start = out.writerIndex();
        out.ensureWritable(HEADER_BYTES);
        out.setByte(start + TYPE_OFFSET, type.code());
        out.setByte(start + FLAGS_OFFSET, flags);
        out.setInt(start + REQUEST_ID_OFFSET, requestId);
        out.writerIndex(start + PAYLOAD_OFFSET);
        return start;
    }

    /** Writes the length field of the frame at {@code start}, whose {@code dataBytes} still to come are counted. */
    private static void endFrame(ByteBuf out, int start, int dataBytes) {
        out.setInt(start + LENGTH_OFFSET, out.writerIndex() - start - LENGTH_FIELD_BYTES + dataBytes);
    }

    private static void writeStr8(String s, ByteBuf out) {
        int lengthIndex = out.writerIndex();
        out.writeByte(0);
        int n = out.writeCharSequence(s, StandardCharsets.UTF_8);
        if (n > 0xFF) {
            throw new IllegalArgumentException("string longer than 255 UTF-8 bytes: " + s);
        }
        out.setByte(lengthIndex, n);
    }

    private static void writeStr16(String s, ByteBuf out) {
        int lengthIndex = out.writerIndex();
        out.writeShort(0);
        int n = out.writeCharSequence(s, StandardCharsets.UTF_8);
        if (n > 0xFFFF) {
            throw new IllegalArgumentException("string longer than 65535 UTF-8 bytes");
        }
        out.setShort(lengthIndex, n);
    }
}
