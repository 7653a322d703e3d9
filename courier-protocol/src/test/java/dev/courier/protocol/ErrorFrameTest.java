package dev.courier.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** ERROR frames: every code survives the wire, and a code from a newer peer is not lost. */
class ErrorFrameTest {

    @Test
    void unknownErrorCodeBecomesInternalWithTheTextKept() {
        // Code 0x0457 = 1111, text "x".
        assertThat(Frames.decodeBody("04 00 0000002a 0457 0001 78"))
                .isEqualTo(new ErrorReply(42, ErrorCode.INTERNAL, "error code 1111: x"));
    }

    @Test
    void highestUnknownErrorCodeBecomesInternal() {
        assertThat(Frames.decodeBody("04 00 0000002a ffff 0000"))
                .isEqualTo(new ErrorReply(42, ErrorCode.INTERNAL, "error code 65535: "));
    }

    @Test
    void unusedCodeBetweenKnownOnesBecomesInternal() {
        // 8 lies between HANDSHAKE_REQUIRED (6)/MALFORMED_REQUEST (7) and UNKNOWN_RECORD (20).
        assertThat(Frames.decodeBody("04 00 0000002a 0008 0002 6869"))
                .isEqualTo(new ErrorReply(42, ErrorCode.INTERNAL, "error code 8: hi"));
    }

    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void everyErrorCodeTravelsAsItsNumber(ErrorCode code) {
        String text = code.name() + " happened";
        ByteBuf frame = Frames.encode(new ErrorReply(42, code, text));
        try {
            assertThat(frame.getUnsignedShort(FrameDescriptor.PAYLOAD_OFFSET)).isEqualTo(code.code());
            assertThat(Frames.decode(frame)).isEqualTo(new ErrorReply(42, code, text));
        } finally {
            frame.release();
        }
    }

    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void errorCodeIsFoundByItsNumber(ErrorCode code) {
        assertThat(ErrorCode.fromCode(code.code())).isSameAs(code);
    }
}
