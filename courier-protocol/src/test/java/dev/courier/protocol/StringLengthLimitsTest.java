package dev.courier.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

/** A str8 holds up to 255 UTF-8 bytes and a str16 up to 65535: bytes, not characters. */
class StringLengthLimitsTest {

    @Test
    void recordOf255BytesFitsItsLengthByte() {
        String record = "r".repeat(255);
        ByteBuf frame = Frames.encode(new PointRequest(1, record, 0.0, 1));
        try {
            assertThat((int) frame.getUnsignedByte(FrameDescriptor.PAYLOAD_OFFSET + 2 + 8)).isEqualTo(255);
            assertThat(Frames.decode(frame)).isEqualTo(new PointRequest(1, record, 0.0, 1));
        } finally {
            frame.release();
        }
    }

    @Test
    void recordOf256BytesCannotBeEncoded() {
        assertThatThrownBy(() -> Frames.encode(new PointRequest(1, "r".repeat(256), 0.0, 1)).release())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("255");
    }

    @Test
    void recordOf128TwoByteCharactersIsTooLongThoughShortInCharacters() {
        assertThatThrownBy(() -> Frames.encode(new PointBatchRequest(1, "é".repeat(128), 1, new double[0])).release())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nameOf65535BytesFitsItsLengthField() {
        String name = "n".repeat(65535);
        ByteBuf frame = Frames.encode(new StatRequest(1, name));
        try {
            assertThat(frame.getUnsignedShort(FrameDescriptor.PAYLOAD_OFFSET)).isEqualTo(65535);
            assertThat(Frames.decode(frame)).isEqualTo(new StatRequest(1, name));
        } finally {
            frame.release();
        }
    }

    @Test
    void nameOf65536BytesCannotBeEncoded() {
        assertThatThrownBy(() -> Frames.encode(new ReadRequest(1, "n".repeat(65536), 0, 1)).release())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("65535");
    }
}
