package dev.courier.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

/** Encoding and decoding of whole frames for the codec tests. */
final class Frames {
    private Frames() {
    }

    /** The whole frame of {@code message}, length field included, in a new buffer the caller releases. */
    static ByteBuf encode(Message message) {
        ByteBuf out = Unpooled.buffer();
        MessageCodec.encode(message, out);
        return out;
    }

    /**
     * Decodes one whole frame, length field included, after checking that the length field counts exactly the
     * bytes that follow it.
     */
    static Message decode(ByteBuf frame) {
        assertThat(frame.readableBytes()).as("frame bytes").isGreaterThanOrEqualTo(4);
        long length = frame.readUnsignedInt();
        assertThat(length).as("length field").isEqualTo(frame.readableBytes());
        return MessageCodec.decode(frame);
    }

    /** Decodes {@code bodyHex}: a frame without its length field (type, flags, request id, payload). */
    static Message decodeBody(String bodyHex) {
        ByteBuf body = Hex.buffer(bodyHex);
        try {
            return MessageCodec.decode(body);
        } finally {
            body.release();
        }
    }

    /** Decodes {@code bodyHex} (a frame without its length field: type, flags, request id, payload), which must fail. */
    static ProtocolException rejectionOf(String bodyHex) {
        ByteBuf body = Hex.buffer(bodyHex);
        try {
            ProtocolException e = catchThrowableOfType(ProtocolException.class, () -> MessageCodec.decode(body));
            assertThat(e).as("decoding %s must fail", bodyHex).isNotNull();
            return e;
        } finally {
            body.release();
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
            assertThat(a.hasCrc()).as("hasCrc").isEqualTo(e.hasCrc());
            assertThat(a.crc32c()).as("crc32c").isEqualTo(e.crc32c());
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
