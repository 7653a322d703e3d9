package dev.courier.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random messages of every type, each from its own fixed seed so a failure names the case that reproduces it:
 * encoding then decoding gives the same message, and the length field counts exactly the bytes after it.
 */
class MessageRoundTripTest {
    private static final long SEED = 0x436F5552L;
    private static final int CASES_PER_KIND = 25;

    static IntStream cases() {
        return IntStream.range(0, CASES_PER_KIND * RandomMessages.KINDS);
    }

    @ParameterizedTest(name = "case {0}")
    @MethodSource("cases")
    void randomMessageSurvivesEncodingAndDecoding(int n) {
        Message message = new RandomMessages(new Random(SEED + n)).of(n % RandomMessages.KINDS);
        ByteBuf frame = Frames.encode(message);
        Message decoded = null;
        try {
            decoded = Frames.decode(frame);
            Frames.assertSameMessage(decoded, message);
        } finally {
            if (decoded != null) {
                decoded.release(); // the data of a CHUNK or UPLOAD_WRITE; nothing for the others
            }
            message.release();
            frame.release();
        }
        assertThat(frame.refCnt()).isZero();
    }

    @ParameterizedTest(name = "case {0}")
    @MethodSource("cases")
    void randomMessagesBackToBackDecodeInOrder(int n) {
        RandomMessages messages = new RandomMessages(new Random(SEED - n));
        Message first = messages.of(n % RandomMessages.KINDS);
        Message second = messages.of((n + 1) % RandomMessages.KINDS);
        ByteBuf frames = Frames.encode(first);
        MessageWriter.write(second, frames);
        try {
            assertSameFrame(frames, first);
            assertSameFrame(frames, second);
            assertThat(frames.isReadable()).isFalse();
        } finally {
            first.release();
            second.release();
            frames.release();
        }
    }

    /** Decodes the next frame of {@code frames} and compares it with {@code expected}. */
    private static void assertSameFrame(ByteBuf frames, Message expected) {
        int length = frames.getInt(frames.readerIndex());
        Message decoded = Frames.read(frames.readSlice(FrameDescriptor.LENGTH_FIELD_BYTES + length));
        try {
            Frames.assertSameMessage(decoded, expected);
        } finally {
            decoded.release();
        }
    }
}
