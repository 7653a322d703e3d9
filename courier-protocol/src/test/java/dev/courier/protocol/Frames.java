package dev.courier.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

/**
 * Writing and reading whole frames for the codec tests. A frame is read by the reader of the side that receives it
 * (docs/protocol.md, "Message types", column "Sent by"): a request's by {@link MessageReader#readRequest}, a reply's by
 * {@link MessageReader#readReply}, and a frame that travels both ways (or a type no side knows) by both, which must
 * agree.
 */
final class Frames {
    private Frames() {
    }

    /** Who sends a type of frame, so who reads it. */
    enum SentBy {
        CLIENT, SERVER, BOTH;

        static SentBy of(int code) {
            MessageType type = MessageType.fromCode(code);
            if (type == null) {
                return BOTH; // a code of no type: both sides refuse it
            }
            return switch (type) {
                case HELLO, PING, PONG, ERROR -> BOTH;
                case POINT, POINT_BATCH, LIST, STAT, READ, DIGEST, READ_STREAM, WINDOW, CANCEL, UPLOAD_BEGIN,
                     UPLOAD_WRITE, UPLOAD_COMMIT, RECORDS, RANGE_STREAM, ENVELOPE, APPEND, SUBSCRIBE -> CLIENT;
                case POINT_VALUE, POINT_BATCH_VALUES, LISTING, STAT_RESULT, CHUNK, DIGEST_RESULT, UPLOAD_READY,
                     UPLOAD_ACK, UPLOAD_DONE, RECORDS_RESULT, ENVELOPE_RESULT, APPEND_ACK -> SERVER;
            };
        }
    }

    /** The whole frame of {@code message}, length field included, in a new buffer the caller releases. */
    static ByteBuf encode(Message message) {
        ByteBuf out = Unpooled.buffer();
        MessageWriter.write(message, out);
        return out;
    }

    /**
     * Reads one whole frame, length field included, after checking that the length field counts exactly the bytes
     * that follow it.
     */
    static Message decode(ByteBuf frame) {
        assertThat(frame.readableBytes()).as("frame bytes").isGreaterThanOrEqualTo(4);
        assertThat(frame.getUnsignedInt(frame.readerIndex())).as("length field").isEqualTo(frame.readableBytes() - 4);
        return read(frame);
    }

    /** Reads the whole frame in {@code frame} with the reader, or both readers, of its type (see {@link SentBy}). */
    static Message read(ByteBuf frame) {
        int type = frame.readableBytes() > FrameDescriptor.TYPE_OFFSET
                ? frame.getUnsignedByte(frame.readerIndex() + FrameDescriptor.TYPE_OFFSET) : -1;
        return switch (SentBy.of(type)) {
            case CLIENT -> MessageReader.readRequest(frame);
            case SERVER -> MessageReader.readReply(frame);
            case BOTH -> {
                Request asRequest = MessageReader.readRequest(frame.duplicate());
                Reply asReply = MessageReader.readReply(frame);
                assertSameMessage(asReply, asRequest);
                yield asReply;
            }
        };
    }

    /** {@code bodyHex} (a frame without its length field: type, flags, request id, payload) with its length field. */
    static ByteBuf frameOfBody(String bodyHex) {
        int bytes = Hex.compact(bodyHex).length() / 2;
        return Hex.buffer("%08x".formatted(bytes) + Hex.compact(bodyHex));
    }

    /** Reads {@code bodyHex}: a frame without its length field (type, flags, request id, payload). */
    static Message decodeBody(String bodyHex) {
        ByteBuf frame = frameOfBody(bodyHex);
        try {
            return read(frame);
        } finally {
            frame.release();
        }
    }

    /**
     * Reads {@code bodyHex} (a frame without its length field: type, flags, request id, payload), which must fail,
     * and fail alike in both readers when both read its type.
     */
    static ProtocolException rejectionOf(String bodyHex) {
        ByteBuf frame = frameOfBody(bodyHex);
        try {
            ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> read(frame.duplicate()));
            assertThat(e).as("reading %s must fail", bodyHex).isNotNull();
            if (frame.readableBytes() > FrameDescriptor.TYPE_OFFSET
                    && SentBy.of(frame.getUnsignedByte(FrameDescriptor.TYPE_OFFSET)) == SentBy.BOTH) {
                ProtocolException asReply = catchThrowableOfType(ProtocolException.class,
                        () -> MessageReader.readReply(frame.duplicate())); // read() failed in readRequest
                assertThat(asReply).as("the client's reader fails as the server's does").isNotNull();
                assertThat(asReply.code()).isEqualTo(e.code());
                assertThat(asReply.requestId()).isEqualTo(e.requestId());
                assertThat(asReply.getMessage()).isEqualTo(e.getMessage());
            }
            return e;
        } finally {
            frame.release();
        }
    }

    /** The frame of {@code hex} without its four length bytes. */
    static String bodyOf(String hex) {
        return Hex.compact(hex).substring(8);
    }

    /**
     * Field by field, arrays by content, doubles bit for bit; a chunk or upload write by its fields and data bytes.
     */
    static void assertSameMessage(Message actual, Message expected) {
        if (expected instanceof ChunkReply e) {
            assertThat(actual).isInstanceOf(ChunkReply.class);
            ChunkReply a = (ChunkReply) actual;
            assertThat(a.requestId()).as("requestId").isEqualTo(e.requestId());
            assertThat(a.offsetBytes()).as("offsetBytes").isEqualTo(e.offsetBytes());
            assertThat(a.last()).as("last").isEqualTo(e.last());
            assertThat(a.end()).as("end").isEqualTo(e.end());
            assertThat(a.hasCrc()).as("hasCrc").isEqualTo(e.hasCrc());
            assertThat(a.crc32c()).as("crc32c").isEqualTo(e.crc32c());
            assertThat(a.scaled()).as("scaled").isEqualTo(e.scaled());
            assertThat(ByteBufUtil.getBytes(a.data())).as("data").isEqualTo(ByteBufUtil.getBytes(e.data()));
            return;
        }
        if (expected instanceof UploadWrite e) {
            assertThat(actual).isInstanceOf(UploadWrite.class);
            UploadWrite a = (UploadWrite) actual;
            assertThat(a.requestId()).as("requestId").isEqualTo(e.requestId());
            assertThat(a.uploadId()).as("uploadId").isEqualTo(e.uploadId());
            assertThat(a.offsetBytes()).as("offsetBytes").isEqualTo(e.offsetBytes());
            assertThat(a.crc32c()).as("crc32c").isEqualTo(e.crc32c());
            assertThat(ByteBufUtil.getBytes(a.data())).as("data").isEqualTo(ByteBufUtil.getBytes(e.data()));
            return;
        }
        // Doubles exactly (AssertJ's default allows 1e-15); NaN equals NaN, 0.0 differs from -0.0.
        assertThat(actual).usingRecursiveComparison()
                .withStrictTypeChecking()
                .withComparatorForType(Double::compare, Double.class)
                .isEqualTo(expected);
    }
}
