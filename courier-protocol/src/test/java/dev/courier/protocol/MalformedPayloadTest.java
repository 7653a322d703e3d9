package dev.courier.protocol;

import static dev.courier.protocol.Frames.bodyOf;
import static dev.courier.protocol.Frames.rejectionOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.WireExamples.Example;
import io.netty.buffer.ByteBuf;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Payloads that do not fit their type fail one request: MALFORMED_REQUEST carrying that request's id, never an
 * out-of-bounds read or an allocation sized by a lying count. Hex here is a frame without its length field (type,
 * flags, request id, payload), which {@link Frames#rejectionOf} gives the length field that counts it and hands to
 * the reader of the side that receives it ({@link MessageReader}); request id 0x2a (42) unless it comes from an
 * example of {@link WireExamples}.
 */
class MalformedPayloadTest {
    private static final int HEADER_HEX_DIGITS = 2 * (FrameDescriptor.HEADER_BYTES - FrameDescriptor.LENGTH_FIELD_BYTES);

    static Stream<Arguments> everyShorterPayload() {
        return WireExamples.fixedLengthExamples().stream().flatMap(e -> {
            int payloadBytes = (bodyOf(e.hex()).length() - HEADER_HEX_DIGITS) / 2;
            return IntStream.range(0, payloadBytes).mapToObj(cut -> Arguments.of(e, cut));
        });
    }

    @ParameterizedTest(name = "{0} cut to {1} payload bytes")
    @MethodSource("everyShorterPayload")
    void payloadCutShortIsMalformed(Example example, int payloadBytes) {
        String cut = bodyOf(example.hex()).substring(0, HEADER_HEX_DIGITS + 2 * payloadBytes);

        assertMalformedRequest(rejectionOf(cut), example.requestId());
    }

    @ParameterizedTest(name = "CHUNK cut to {0} payload bytes")
    @ValueSource(ints = {0, 1, 4, 8, 11})
    void chunkShorterThanItsOffsetAndCrcIsMalformed(int payloadBytes) {
        String cut = bodyOf(WireExamples.CHUNK).substring(0, HEADER_HEX_DIGITS + 2 * payloadBytes);

        assertMalformedRequest(rejectionOf(cut), 7);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.courier.protocol.WireExamples#fixedLengthExamples")
    void trailingByteAfterPayloadIsMalformed(Example example) {
        ProtocolException e = rejectionOf(bodyOf(example.hex()) + "00");

        assertMalformedRequest(e, example.requestId());
        assertThat(e.getMessage()).contains("1 unexpected bytes after the payload");
    }

    @ParameterizedTest(name = "UPLOAD_COMMIT with {0} of the SHA-256's 32 bytes")
    @ValueSource(ints = {1, 16, 31})
    void commitWithPartOfASha256IsMalformed(int shaBytes) {
        String cut = bodyOf(WireExamples.UPLOAD_COMMIT_SHA256).substring(0, HEADER_HEX_DIGITS + 2 * (8 + shaBytes));

        ProtocolException e = rejectionOf(cut);

        assertMalformedRequest(e, 12);
        assertThat(e.getMessage()).contains(shaBytes + " unexpected bytes after the payload");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "POINT record of 255 bytes with 1 there,     10 00 0000002a 0001 3f80624dd2f1a9fc ff 33",
            "POINT_BATCH record of 255 bytes,            12 00 0000002a 0002 ff 33 00000000",
            "ERROR message of 14 bytes with 13 there,    04 00 0000002a 0014 000e 6e6f207265636f726420273927",
            "LIST path of 65535 bytes with 4 there,      20 00 0000002a ffff 6c6f6773",
            "STAT name of 256 bytes with 5 there,        22 00 0000002a 0100 622e747874",
            "READ name of 6 bytes with 5 there,          24 00 0000002a 00000000000003fc 00010000 0006 622e747874",
            "LISTING entry name of 6 bytes with 5 there, 21 00 0000002a 00000001 00 0000000000000400 0000018bcfe56800 0006 622e747874",
    })
    void stringLongerThanWhatIsLeftIsMalformed(String why, String body) {
        ProtocolException e = rejectionOf(body);

        assertMalformedRequest(e, 42);
        assertThat(e.getMessage()).contains("string needs");
    }

    /**
     * The test JVM runs with {@code -Xmx1g}: arrays for any of these counts would take 2 GiB or more (or have a
     * negative size), so a decoder that allocated before checking would fail with an error, not a
     * ProtocolException.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "POINT_BATCH count 2^31-1,                      12 00 0000002a 0002 01 33 7fffffff",
            "POINT_BATCH count 2^32-1,                      12 00 0000002a 0002 01 33 ffffffff",
            "POINT_BATCH count 2^28 with one time,          12 00 0000002a 0002 01 33 10000000 3fe0000000000000",
            "POINT_BATCH_VALUES count 2^31-1,               13 00 0000002a 7fffffff",
            "POINT_BATCH_VALUES count 2^32-1,               13 00 0000002a ffffffff",
            "POINT_BATCH_VALUES count 2^27 with one entry,  13 00 0000002a 08000000 00000002 3f80624dd2f1a9fc bfd0a3d70a3d70a4",
            "LISTING count 2^31-1,                          21 00 0000002a 7fffffff",
            "LISTING count 2^32-1,                          21 00 0000002a ffffffff",
    })
    void countLargerThanPayloadIsRejectedBeforeAllocating(String why, String body) {
        ProtocolException e = rejectionOf(body);

        assertMalformedRequest(e, 42);
        assertThat(e.getMessage()).contains("count");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "POINT_BATCH count 3 with 2 times,            12 00 0000002a 0002 01 33 00000003 0000000000000000 3f80624dd2f1a9fc",
            "POINT_BATCH_VALUES count 2 with 1 entry,     13 00 0000002a 00000002 00000002 3f80624dd2f1a9fc bfd0a3d70a3d70a4",
            "LISTING count 2 with 1 entry,                21 00 0000002a 00000002 01 0000000000000000 0000018bcfe56800 0001 61",
    })
    void countOneAboveTheElementsPresentIsMalformed(String why, String body) {
        assertMalformedRequest(rejectionOf(body), 42);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "lone continuation byte,                80",
            "byte that never occurs in UTF-8,       ff",
            "two-byte start without continuation,   c328",
            "overlong encoding of a slash,          c0af",
            "UTF-16 surrogate encoded as UTF-8,     eda080",
            "three-byte sequence cut short,         e282",
            "code point above U+10FFFF,             f4908080",
            "valid ASCII then a bad byte,           622e74ff",
    })
    void invalidUtf8InANameIsMalformed(String why, String utf8) {
        int n = utf8.length() / 2;
        ProtocolException inStat = rejectionOf("22 00 0000002a " + "%04x".formatted(n) + utf8);
        ProtocolException inRecord = rejectionOf("10 00 0000002a 0001 3f80624dd2f1a9fc " + "%02x".formatted(n) + utf8);

        assertMalformedRequest(inStat, 42);
        assertThat(inStat.getMessage()).contains("not valid UTF-8");
        assertMalformedRequest(inRecord, 42);
        assertThat(inRecord.getMessage()).contains("not valid UTF-8");
    }

    @ParameterizedTest(name = "type 0x{0}")
    @ValueSource(strings = {"00", "05", "0f", "14", "1f", "2f", "3f", "7f", "80", "ff"})
    void unknownTypeIsRejectedWithItsRequestId(String type) {
        ProtocolException withPayload = rejectionOf(type + " 00 0000002a 0102030405060708");
        ProtocolException empty = rejectionOf(type + " 00 0000002a");

        for (ProtocolException e : new ProtocolException[] {withPayload, empty}) {
            assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_TYPE);
            assertThat(e.code().fatal()).isTrue();
            assertThat(e.requestId()).isEqualTo(42);
            assertThat(e.getMessage()).contains("0x" + type);
        }
    }

    @ParameterizedTest(name = "magic {0}")
    @ValueSource(strings = {"47455420", "434f5553", "00000000", "524f5543"})
    void helloWithBadMagicIsRejected(String magic) {
        // "GET " (an HTTP client), "COUS", zeros, "COUR" backwards (little-endian sender).
        ProtocolException e = rejectionOf("01 00 0000002a " + magic + " 0001 00100000 00800000");

        assertThat(e.code()).isEqualTo(ErrorCode.BAD_MAGIC);
        assertThat(e.code().fatal()).isTrue();
        assertThat(e.requestId()).isEqualTo(42);
        assertThat(e.getMessage()).contains("0x" + magic);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "maxFrameBytes below the 6-byte header, 00000005 00800000",
            "maxFrameBytes zero,                    00000000 00800000",
            "maxFrameBytes above 2^31-1,            80000000 00800000",
            "maxChunkBytes zero,                    00100000 00000000",
            "maxChunkBytes above 2^31-1,            00100000 ffffffff",
    })
    void helloWithLimitsOutOfRangeIsMalformed(String why, String limits) {
        assertMalformedRequest(rejectionOf("01 00 0000002a 434f5552 0001 " + limits), 42);
    }

    @Test
    void helloWithTheSmallestLimitsIsAccepted() {
        assertThat(Frames.decodeBody("01 00 0000002a 434f5552 0001 00000006 00000001")).isEqualTo(new Hello(42, 1, 6, 1));
    }

    @Test
    void helloOfAnotherVersionIsLeftToTheServerToRefuse() {
        assertThat(Frames.decodeBody("01 00 0000002a 434f5552 ffff 00100000 00800000"))
                .isEqualTo(new Hello(42, 65535, 1 << 20, 8 << 20));
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 5})
    void frameShorterThanItsHeaderIsMalformedFrame(int bytes) {
        ProtocolException e = rejectionOf("02 00 0000002a".replace(" ", "").substring(0, 2 * bytes));

        assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        assertThat(e.requestId()).isZero();
    }

    @Test
    void flagsOfFramesOtherThanChunkAreIgnored() {
        assertThat(Frames.decodeBody("02 ff 0000002a 0102030405060708")).isEqualTo(new Ping(42, 0x0102030405060708L));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "offset 2^63,        8000000000000000 0000000000000003 00010000 00001000 0000000000000003",
            "length 2^64-1,      0000000000000000 ffffffffffffffff 00010000 00001000 0000000000000003",
            "size 2^63,          0000000000000000 0000000000000003 00010000 00001000 8000000000000000",
            "window 2^31,        0000000000000000 0000000000000003 80000000 00001000 0000000000000003",
            "window 2^32-1,      0000000000000000 0000000000000003 ffffffff 00001000 0000000000000003",
    })
    void readStreamFieldOutOfRangeIsMalformed(String why, String fields) {
        assertMalformedRequest(rejectionOf("28 00 0000002a " + fields + " 0000018bcfe56800 0005 622e747874"), 42);
    }

    @Test
    void readStreamNameLongerThanWhatIsLeftIsMalformed() {
        ProtocolException e = rejectionOf("28 00 0000002a 0000000000000000 0000000000000003 00010000 00001000"
                + " 0000000000000003 0000018bcfe56800 0006 622e747874");

        assertMalformedRequest(e, 42);
        assertThat(e.getMessage()).contains("string needs");
    }

    @ParameterizedTest(name = "increment {0}")
    @ValueSource(strings = {"00000000", "80000000", "ffffffff"})
    void windowIncrementOutsideOneToTwoToTheThirtyOneIsMalformed(String increment) {
        assertMalformedRequest(rejectionOf("29 00 0000002a " + increment), 42);
    }

    @Test
    void windowOfTheLargestIncrementIsAccepted() {
        assertThat(Frames.decodeBody("29 00 0000002a 7fffffff")).isEqualTo(new WindowUpdate(42, Integer.MAX_VALUE));
    }

    @Test
    void unknownChunkFlagsAreIgnored() {
        ByteBuf body = Frames.frameOfBody("25 f4 0000002a 0000000000000000 00000000 78");
        try {
            ChunkReply c = (ChunkReply) MessageReader.readReply(body);
            assertThat(c.last()).isFalse();
            assertThat(c.end()).isFalse();
            assertThat(c.hasCrc()).isFalse();
            assertThat(c.lengthBytes()).isEqualTo(1);
            c.release();
        } finally {
            body.release();
        }
        assertThat(body.refCnt()).isZero();
    }


    private static void assertMalformedRequest(ProtocolException e, int requestId) {
        assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_REQUEST);
        assertThat(e.code().fatal()).isFalse();
        assertThat(e.requestId()).isEqualTo(requestId);
    }
}
