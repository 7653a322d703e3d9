package dev.courier.protocol;

import static dev.courier.protocol.Frames.bodyOf;
import static dev.courier.protocol.Frames.rejectionOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The two optional fields of issue 13: HELLO's token and RATE_LIMITED's retryAfterMillis. Their bounds, that they
 * are absent where the contract says so, and that a token never shows in a message's text.
 */
class AuthFieldsTest {
    /** HELLO without its length field, up to its limits; a token str16 may follow. */
    private static final String HELLO_BODY = "01 00 0000002a 434f5552 0001 00100000 00800000";

    @Test
    void helloWithoutTokenIsAsBefore() {
        assertThat(Frames.decodeBody(HELLO_BODY)).isEqualTo(new Hello(42, 1, 1 << 20, 8 << 20));
    }

    @Test
    void helloCarriesItsToken() {
        Hello h = (Hello) Frames.decodeBody(HELLO_BODY + " 0003 616263");

        assertThat(h.token()).contains(new Secret("abc"));
    }

    @Test
    void tokenOfTheLargestLengthIsAccepted() {
        String token = "61".repeat(Secret.MAX_BYTES);

        Hello h = (Hello) Frames.decodeBody(HELLO_BODY + " 0400 " + token);

        assertThat(h.token().orElseThrow().value()).hasSize(Secret.MAX_BYTES);
    }

    @ParameterizedTest(name = "length {0}")
    @ValueSource(ints = {0, Secret.MAX_BYTES + 1, 0xFFFF})
    void tokenLengthOutOfRangeIsMalformed(int length) {
        ProtocolException e = rejectionOf(HELLO_BODY + " %04x ".formatted(length) + "61".repeat(length));

        assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_REQUEST);
        assertThat(e.requestId()).isEqualTo(42);
        assertThat(e.getMessage()).contains("token length " + length);
    }

    @Test
    void tokenLongerThanTheBytesLeftIsMalformed() {
        ProtocolException e = rejectionOf(HELLO_BODY + " 0005 6162");

        assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_REQUEST);
    }

    @Test
    void tokenThatIsNotUtf8IsMalformed() {
        assertThat(rejectionOf(HELLO_BODY + " 0002 c328").code()).isEqualTo(ErrorCode.MALFORMED_REQUEST);
    }

    @Test
    void helloWithTokenCutAnywhereButAfterItsLimitsIsMalformed() {
        String body = bodyOf(WireExamples.CLIENT_HELLO_WITH_TOKEN);
        int headerDigits = 2 * (FrameDescriptor.HEADER_BYTES - FrameDescriptor.LENGTH_FIELD_BYTES);
        int payloadBytes = (body.length() - headerDigits) / 2;
        for (int cut = 0; cut < payloadBytes; cut++) {
            String shorter = body.substring(0, headerDigits + 2 * cut);
            if (cut == 14) {
                // Exactly the limits: a HELLO without a token, as every HELLO was before tokens.
                assertThat(((Hello) Frames.decodeBody(shorter)).token()).isEmpty();
            } else {
                assertThat(rejectionOf(shorter).code()).as("cut to %d bytes", cut)
                        .isIn(ErrorCode.MALFORMED_REQUEST);
            }
        }
    }

    @Test
    void tokenNeverShowsInToString() {
        Hello h = new Hello(0, 1, 1 << 20, 8 << 20).withToken(new Secret("ct_topsecret"));

        assertThat(h.toString()).doesNotContain("topsecret").contains("Secret[hidden]");
        assertThat(new Secret("ct_topsecret").toString()).doesNotContain("topsecret");
    }

    @Test
    void secretOutOfBoundsIsRefused() {
        assertThatThrownBy(() -> new Secret("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Secret("é".repeat(Secret.MAX_BYTES / 2 + 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rateLimitedWithoutItsRetryAfterIsMalformed() {
        ProtocolException e = rejectionOf("04 00 00000001 0049 0000 0000");

        assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_REQUEST);
        assertThat(e.requestId()).isEqualTo(1);
    }

    @Test
    void rateLimitedRetryAfterIsUnsigned() {
        assertThat(Frames.decodeBody("04 00 00000001 0049 0000 ffffffff"))
                .isEqualTo(new ErrorReply(1, ErrorCode.RATE_LIMITED, "", ErrorReply.MAX_RETRY_AFTER_MILLIS));
    }

    @Test
    void otherCodesCarryNoRetryAfter() {
        for (ErrorCode code : List.of(ErrorCode.FORBIDDEN, ErrorCode.AUTH_REQUIRED, ErrorCode.AUTH_FAILED)) {
            ByteBuf frame = Frames.encode(new ErrorReply(3, code, "x"));
            try {
                assertThat(frame.readableBytes()).as("%s frame bytes", code).isEqualTo(10 + 2 + 2 + 1);
            } finally {
                frame.release();
            }
            assertThat(rejectionOf("04 00 00000003 %04x 0001 78 000000fa".formatted(code.code())).getMessage())
                    .contains("unexpected bytes after the payload");
        }
    }

    @Test
    void retryAfterOnlyWithRateLimitedAndInRange() {
        assertThatThrownBy(() -> new ErrorReply(1, ErrorCode.FORBIDDEN, "x", 5))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ErrorReply(1, ErrorCode.RATE_LIMITED, "x", -1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ErrorReply(1, ErrorCode.RATE_LIMITED, "x", ErrorReply.MAX_RETRY_AFTER_MILLIS + 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new ErrorReply(1, ErrorCode.RATE_LIMITED, "x").retryAfterMillis()).isZero();
    }

    @Test
    void authCodesHaveTheContractsNumbersAndFatality() {
        assertThat(List.of(ErrorCode.AUTH_REQUIRED.code(), ErrorCode.AUTH_FAILED.code(), ErrorCode.FORBIDDEN.code(),
                ErrorCode.RATE_LIMITED.code())).containsExactly(70, 71, 72, 73);
        assertThat(List.of(ErrorCode.AUTH_REQUIRED.fatal(), ErrorCode.AUTH_FAILED.fatal(),
                ErrorCode.FORBIDDEN.fatal(), ErrorCode.RATE_LIMITED.fatal())).containsExactly(false, true, false, false);
        assertThat(new Hello(0, 1, 6, 1).token()).isEqualTo(Optional.empty());
    }
}
