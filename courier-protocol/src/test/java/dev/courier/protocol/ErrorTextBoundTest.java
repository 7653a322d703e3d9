package dev.courier.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * An ERROR's text is cut to {@link ErrorReply#MAX_MESSAGE_BYTES} of UTF-8 when the reply is made, between characters,
 * so that every ERROR can be encoded whatever it quotes, and one from a peer holds no more than that.
 */
class ErrorTextBoundTest {
    private static final int MAX = ErrorReply.MAX_MESSAGE_BYTES;

    private static int utf8Bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** Encodes and decodes: the text on the wire is the text of the record. */
    private static ErrorReply roundTrip(ErrorReply e) {
        ByteBuf frame = Frames.encode(e);
        try {
            return (ErrorReply) Frames.decode(frame);
        } finally {
            frame.release();
        }
    }

    @Test
    void aShortTextIsKeptAsItIs() {
        String text = "no such file: 'a.txt'";
        assertThat(new ErrorReply(1, ErrorCode.NOT_FOUND, text).message()).isSameAs(text);
    }

    @Test
    void aTextOfExactlyTheLimitIsKept() {
        String text = "x".repeat(MAX - 3) + "\u00e9" + "y"; // MAX bytes, with a two-byte char near the end
        assertThat(utf8Bytes(text)).isEqualTo(MAX);
        assertThat(new ErrorReply(1, ErrorCode.NOT_FOUND, text).message()).isEqualTo(text);
    }

    @Test
    void aTextQuotingA65000ByteNameIsCutAndStillEncodes() {
        String name = "n".repeat(65_000);
        String text = "no such file: '" + name + "'";
        ErrorReply e = new ErrorReply(7, ErrorCode.NOT_FOUND, text);

        assertThat(utf8Bytes(e.message())).isEqualTo(MAX);
        assertThat(e.message()).startsWith("no such file: 'nnn").endsWith("n...");
        assertThat(text).startsWith(e.message().substring(0, e.message().length() - 3));
        assertThat(roundTrip(e)).isEqualTo(e);
    }

    @Test
    void aTextIsCutBetweenCharactersNeverInsideOne() {
        // Every offset of the cut against the characters: 1, 2, 3 and 4 bytes long (the last a surrogate pair).
        for (String unit : new String[] {"\u00e9", "\u20ac", "\ud83d\udcc8", "a\u00e9", "ab\ud83d\udcc8"}) {
            for (int pad = 0; pad < 4; pad++) {
                String text = "p".repeat(pad) + unit.repeat(3 * MAX / unit.length());
                ErrorReply e = new ErrorReply(3, ErrorCode.IO_ERROR, text);
                String kept = e.message().substring(0, e.message().length() - 3);

                assertThat(utf8Bytes(e.message())).as("%s padded %d", unit, pad).isLessThanOrEqualTo(MAX)
                        .isGreaterThan(MAX - 3 - 4);
                assertThat(text).startsWith(kept);
                assertThat(Character.isHighSurrogate(kept.charAt(kept.length() - 1))).isFalse();
                assertThat(roundTrip(e)).isEqualTo(e);
            }
        }
    }

    @Test
    void aLongTextFromAPeerIsCutAsItIsDecoded() {
        String text = "z".repeat(65_535);
        ByteBuf frame = Unpooled.buffer();
        frame.writeInt(6 + 2 + 2 + text.length()).writeByte(MessageType.ERROR.code()).writeByte(0).writeInt(5)
                .writeShort(ErrorCode.NOT_FOUND.code()).writeShort(text.length())
                .writeCharSequence(text, StandardCharsets.US_ASCII);
        try {
            ErrorReply e = (ErrorReply) Frames.decode(frame);
            assertThat(utf8Bytes(e.message())).isEqualTo(MAX);
            assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
        } finally {
            frame.release();
        }
    }
}
