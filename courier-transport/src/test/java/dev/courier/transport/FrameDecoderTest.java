package dev.courier.transport;

import static dev.courier.transport.Bytes.compact;
import static dev.courier.transport.Bytes.hexOf;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.Hello;
import dev.courier.protocol.Ping;
import dev.courier.protocol.PointReply;
import dev.courier.protocol.PointRequest;
import dev.courier.protocol.ProtocolException;
import dev.courier.protocol.Secret;
import dev.courier.protocol.StatRequest;
import dev.courier.protocol.UploadWrite;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The frame decoder on an {@link EmbeddedChannel}, fed hand-written bytes split and merged in every way a socket
 * may deliver them: a server's decoder (requests) unless a test reads as a client. After each test every buffer
 * written in must have been released.
 */
class FrameDecoderTest {
    private static final int MAX_FRAME_BYTES = 64;

    private FrameDecoder decoder = FrameDecoder.requests(MAX_FRAME_BYTES);
    private EmbeddedChannel channel = new EmbeddedChannel(decoder);
    private final List<ByteBuf> written = new ArrayList<>();

    @AfterEach
    void everyBufferWrittenInIsReleased() {
        assertThat(channel.finishAndReleaseAll()).as("messages left unread").isFalse();
        assertThat(written).allSatisfy(b -> assertThat(b.refCnt()).as("refCnt of an input buffer").isZero());
    }

    /** From here on the test reads as a client does: replies, through {@link FrameDecoder#replies}. */
    private void readAsClient() {
        assertThat(channel.finishAndReleaseAll()).as("messages left unread").isFalse();
        decoder = FrameDecoder.replies(MAX_FRAME_BYTES);
        channel = new EmbeddedChannel(decoder);
    }

    @Test
    void shouldHandleTwoMessagesInOneBatch() {
        write(Bytes.PING + Bytes.POINT);

        assertThat((Object) channel.readInbound()).isEqualTo(new Ping(8, 0x0102030405060708L));
        assertThat((Object) channel.readInbound()).isEqualTo(new PointRequest(1, "3", 0.008, 1));
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void shouldHandleAFrameSplitByteByByte() {
        String hex = compact(Bytes.POINT);
        for (int i = 0; i < hex.length() - 2; i += 2) {
            write(hex.substring(i, i + 2));
            assertThat((Object) channel.readInbound()).as("after %d bytes", i / 2 + 1).isNull();
        }
        write(hex.substring(hex.length() - 2));

        assertThat((Object) channel.readInbound()).isEqualTo(new PointRequest(1, "3", 0.008, 1));
        assertThat((Object) channel.readInbound()).isNull();
    }

    static IntStream splitPoints() {
        return IntStream.range(1, compact(Bytes.PING + Bytes.POINT + Bytes.STAT).length() / 2);
    }

    @ParameterizedTest(name = "split after byte {0}")
    @MethodSource("splitPoints")
    void shouldHandleThreeFramesSplitAnywhere(int splitByte) {
        String hex = compact(Bytes.PING + Bytes.POINT + Bytes.STAT);
        write(hex.substring(0, 2 * splitByte));
        write(hex.substring(2 * splitByte));

        assertThat((Object) channel.readInbound()).isEqualTo(new Ping(8, 0x0102030405060708L));
        assertThat((Object) channel.readInbound()).isEqualTo(new PointRequest(1, "3", 0.008, 1));
        assertThat((Object) channel.readInbound()).isEqualTo(new StatRequest(6, "b.txt"));
        assertThat((Object) channel.readInbound()).isNull();
    }

    @ParameterizedTest(name = "length {0}")
    @ValueSource(strings = {"00000041", "00100000", "7fffffff", "80000000", "ffffffff"})
    void lengthAboveTheMaximumFailsAsSoonAsItsFourBytesArrive(String length) {
        ProtocolException e = decoderFailure(() -> write(length));

        assertThat(e.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
        assertThat(e.requestId()).isZero();
        assertThat(e.getMessage()).contains(Long.toString(Long.parseLong(length, 16)), "64");
        assertThat(decoder.broken()).isTrue();
    }

    @Test
    void lengthAboveTheMaximumFailsWhenItsLastByteArrives() {
        write("0000");
        assertThat((Object) channel.readInbound()).isNull();

        ProtocolException e = decoderFailure(() -> write("0041"));

        assertThat(e.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
    }

    @Test
    void lengthAtTheMaximumIsAccepted() {
        readAsClient();
        // 64 = 6 header + 12 chunk prefix + 46 bytes of data.
        write("00000040 25 00 00000007 0000000000000000 00000000" + "78".repeat(46));

        ChunkReply chunk = channel.readInbound();
        assertThat(chunk.lengthBytes()).isEqualTo(46);
        chunk.release();
    }

    @ParameterizedTest(name = "length {0}")
    @ValueSource(strings = {"00000000", "00000001", "00000005"})
    void lengthBelowTheHeaderIsMalformedFrame(String length) {
        ProtocolException e = decoderFailure(() -> write(length + "02 00 00000008 0102030405060708"));

        assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        assertThat(e.requestId()).isZero();
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void unknownTypeIsFatalAndEverythingAfterItIsIgnored() {
        String unknown = "0000000e 7f 00 0000002a 0102030405060708";

        ProtocolException e = decoderFailure(() -> write(Bytes.PING + unknown + Bytes.POINT));

        assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_TYPE);
        assertThat(e.requestId()).isEqualTo(42);
        assertThat(decoder.broken()).isTrue();
        assertThat((Object) channel.readInbound()).as("the frame before the bad one")
                .isEqualTo(new Ping(8, 0x0102030405060708L));
        assertThat((Object) channel.readInbound()).as("the frame after the bad one").isNull();

        assertThat(write(Bytes.STAT)).as("anything read later").isFalse();
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void malformedPayloadIsPassedOnAndTheNextFrameStillDecodes() {
        // A PING with one byte too many: that request fails, the framing is intact.
        write("0000000f 02 00 0000002a 0102030405060708 00" + Bytes.POINT);

        ProtocolException e = channel.readInbound();
        assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_REQUEST);
        assertThat(e.requestId()).isEqualTo(42);
        assertThat((Object) channel.readInbound()).isEqualTo(new PointRequest(1, "3", 0.008, 1));
        assertThat(decoder.broken()).isFalse();
    }

    @ParameterizedTest(name = "after {0} bytes")
    @ValueSource(ints = {1, 3, 4, 10, 21})
    void connectionEndingInsideAFrameIsMalformedFrame(int bytes) {
        write(compact(Bytes.POINT).substring(0, 2 * bytes));
        assertThat((Object) channel.readInbound()).isNull();

        ProtocolException e = decoderFailure(channel::finish);

        assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        assertThat(e.requestId()).isZero();
        assertThat(e.getMessage()).contains(bytes + " bytes of an incomplete frame");
    }

    @Test
    void connectionEndingAfterTheFrameBeforeTheBadOneStillDeliversIt() {
        write(Bytes.PING + compact(Bytes.POINT).substring(0, 20));

        ProtocolException e = decoderFailure(channel::finish);

        assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
        assertThat((Object) channel.readInbound()).isEqualTo(new Ping(8, 0x0102030405060708L));
    }

    @Test
    void connectionEndingBetweenFramesIsClean() {
        write(Bytes.PING);

        assertThat(channel.finish()).as("a message is waiting").isTrue();
        assertThat((Object) channel.readInbound()).isEqualTo(new Ping(8, 0x0102030405060708L));
    }

    @Test
    void replyTypeSentToTheServerIsFatalAndEverythingAfterItIsIgnored() {
        ProtocolException e = decoderFailure(() -> write(Bytes.PING + Bytes.POINT_VALUE + Bytes.POINT));

        assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_TYPE);
        assertThat(e.requestId()).isEqualTo(1);
        assertThat(e.getMessage()).isEqualTo("POINT_VALUE is a reply; a client may not send it");
        assertThat(decoder.broken()).isTrue();
        assertThat((Object) channel.readInbound()).as("the frame before the bad one")
                .isEqualTo(new Ping(8, 0x0102030405060708L));
        assertThat((Object) channel.readInbound()).as("the frame after the bad one").isNull();
    }

    @Test
    void requestTypeSentToTheClientIsFatalAndEverythingAfterItIsIgnored() {
        readAsClient();

        ProtocolException e = decoderFailure(() -> write(Bytes.PING + Bytes.POINT + Bytes.POINT_VALUE));

        assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_TYPE);
        assertThat(e.requestId()).isEqualTo(1);
        assertThat(e.getMessage()).isEqualTo("POINT is a request; a server may not send it");
        assertThat(decoder.broken()).isTrue();
        assertThat((Object) channel.readInbound()).isEqualTo(new Ping(8, 0x0102030405060708L));
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void theClientReadsRepliesSplitAnywhere() {
        readAsClient();
        String hex = compact(Bytes.POINT_VALUE + Bytes.CHUNK + Bytes.PING);
        for (int split = 1; split < hex.length() / 2; split++) {
            write(hex.substring(0, 2 * split));
            write(hex.substring(2 * split));

            assertThat((Object) channel.readInbound()).as("split after byte %d", split)
                    .isEqualTo(new PointReply(1, -0.295, 2, 0.008));
            ChunkReply chunk = channel.readInbound();
            assertThat(chunk.data().toString(US_ASCII)).isEqualTo("done");
            chunk.release();
            assertThat((Object) channel.readInbound()).isEqualTo(new Ping(8, 0x0102030405060708L));
            assertThat((Object) channel.readInbound()).isNull();
        }
    }

    @Test
    void aHelloWithItsTokenAndAPointSplitAnywhereArriveWhole() {
        // Split at every byte: the token's length and bytes are never read before the frame is complete.
        String hex = compact(Bytes.HELLO_WITH_TOKEN + Bytes.POINT);
        for (int split = 1; split < hex.length() / 2; split++) {
            write(hex.substring(0, 2 * split));
            write(hex.substring(2 * split));

            Hello hello = channel.readInbound();
            assertThat(hello.token()).as("split after byte %d", split).contains(new Secret("ct_example"));
            assertThat((Object) channel.readInbound()).isEqualTo(new PointRequest(1, "3", 0.008, 1));
            assertThat((Object) channel.readInbound()).isNull();
        }
    }

    @Test
    void theClientReadsARateLimitedErrorWithItsRetryAfterSplitAnywhere() {
        readAsClient();
        String hex = compact(Bytes.ERROR_RATE_LIMITED + Bytes.PING);
        for (int split = 1; split < hex.length() / 2; split++) {
            write(hex.substring(0, 2 * split));
            write(hex.substring(2 * split));

            assertThat((Object) channel.readInbound()).as("split after byte %d", split)
                    .isEqualTo(new ErrorReply(1, ErrorCode.RATE_LIMITED, "rate limited", 250));
            assertThat((Object) channel.readInbound()).isEqualTo(new Ping(8, 0x0102030405060708L));
            assertThat((Object) channel.readInbound()).isNull();
        }
    }

    @Test
    void uploadDataIsNotOverwrittenByLaterReads() {
        String ping = compact(Bytes.PING);
        write(Bytes.UPLOAD_WRITE + ping.substring(0, 8));
        UploadWrite upload = channel.readInbound();

        write(ping.substring(8) + Bytes.PING);

        assertThat((Object) channel.readInbound()).isEqualTo(new Ping(8, 0x0102030405060708L));
        assertThat((Object) channel.readInbound()).isEqualTo(new Ping(8, 0x0102030405060708L));
        assertThat(upload.requestId()).isEqualTo(11);
        assertThat(upload.uploadId()).isEqualTo(0x0123456789abcdefL);
        assertThat(upload.offsetBytes()).isEqualTo(3);
        assertThat(upload.data().toString(US_ASCII)).isEqualTo("done");
        assertThat(written.getFirst().refCnt()).as("the write holds its bytes").isPositive();
        upload.release();
    }

    @Test
    void chunkDataIsNotOverwrittenByLaterReads() {
        readAsClient();
        String ping = compact(Bytes.PING);
        write(Bytes.CHUNK + ping.substring(0, 8));
        ChunkReply chunk = channel.readInbound();

        write(ping.substring(8) + Bytes.PING);

        assertThat((Object) channel.readInbound()).isEqualTo(new Ping(8, 0x0102030405060708L));
        assertThat((Object) channel.readInbound()).isEqualTo(new Ping(8, 0x0102030405060708L));
        assertThat(chunk.requestId()).isEqualTo(7);
        assertThat(chunk.offsetBytes()).isEqualTo(1020);
        assertThat(chunk.last()).isTrue();
        assertThat(chunk.data().toString(US_ASCII)).isEqualTo("done");
        assertThat(hexOf(chunk.data())).isEqualTo("646f6e65");
        assertThat(written.getFirst().refCnt()).as("the chunk holds its bytes").isPositive();
        chunk.release();
    }

    /** Writes {@code hex} as one read from the socket; true when a message came out. */
    private boolean write(String hex) {
        ByteBuf in = Bytes.hex(hex);
        written.add(in);
        return channel.writeInbound(in);
    }

    /** The ProtocolException that {@code call} fails with, out of Netty's DecoderException. */
    private static ProtocolException decoderFailure(ThrowingCallable call) {
        Throwable t = catchThrowable(call);
        assertThat(t).isInstanceOf(DecoderException.class).hasCauseInstanceOf(ProtocolException.class);
        return (ProtocolException) t.getCause();
    }
}
