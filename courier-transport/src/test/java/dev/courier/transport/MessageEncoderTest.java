package dev.courier.transport;

import static dev.courier.transport.Bytes.compact;
import static dev.courier.transport.Bytes.hexOf;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.FileEntry;
import dev.courier.protocol.Hello;
import dev.courier.protocol.ListReply;
import dev.courier.protocol.Message;
import dev.courier.protocol.Ping;
import dev.courier.protocol.PointRequest;
import dev.courier.protocol.Pong;
import dev.courier.protocol.StatReply;
import dev.courier.protocol.StatRequest;
import dev.courier.protocol.UploadWrite;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The message encoder on an {@link EmbeddedChannel}: frames out, chunk data released, raw buffers untouched. */
class MessageEncoderTest {
    private final EmbeddedChannel channel = new EmbeddedChannel(MessageEncoder.INSTANCE);

    @AfterEach
    void nothingIsLeftOver() {
        assertThat(channel.finishAndReleaseAll()).as("frames left unread").isFalse();
    }

    @Test
    void messageIsWrittenAsItsDocumentedFrame() {
        channel.writeOutbound(new PointRequest(1, "3", 0.008, 1));

        assertThat(readFrameHex()).isEqualTo(compact(Bytes.POINT));
        assertThat((Object) channel.readOutbound()).isNull();
    }

    @Test
    void eachMessageIsItsOwnFrame() {
        channel.writeOutbound(new Ping(8, 0x0102030405060708L), new StatRequest(6, "b.txt"));

        assertThat(readFrameHex()).isEqualTo(compact(Bytes.PING));
        assertThat(readFrameHex()).isEqualTo(compact(Bytes.STAT));
    }

    @Test
    void chunkDataFollowsItsHeaderWithoutBeingCopied() {
        ByteBuf data = Unpooled.copiedBuffer("done", US_ASCII);

        channel.writeOutbound(new ChunkReply(7, 1020, true, false, 0, data));

        String header = readFrameHex();
        ByteBuf body = channel.readOutbound();
        assertThat(body).as("the data goes out as the very buffer it came in").isSameAs(data);
        assertThat(header + hexOf(body)).isEqualTo(compact(Bytes.CHUNK));
        body.release();
        assertThat(data.refCnt()).isZero();
    }

    @Test
    void uploadDataFollowsItsHeaderWithoutBeingCopied() {
        ByteBuf data = Unpooled.copiedBuffer("done", US_ASCII);

        channel.writeOutbound(new UploadWrite(11, 0x0123456789abcdefL, 3, 0x053620cb, data));

        String header = readFrameHex();
        ByteBuf body = channel.readOutbound();
        assertThat(body).as("the data goes out as the very buffer it came in").isSameAs(data);
        assertThat(header + hexOf(body)).isEqualTo(compact(Bytes.UPLOAD_WRITE));
        body.release();
        assertThat(data.refCnt()).isZero();
    }

    @Test
    void buffersPassThroughUntouched() {
        // The zero-copy chunk path writes its header as a plain buffer.
        ByteBuf header = Bytes.hex("00000016 25 01 00000007 00000000000003fc 00000000");

        channel.writeOutbound(header);

        ByteBuf out = channel.readOutbound();
        assertThat(out).isSameAs(header);
        out.release();
    }

    @Test
    void messageThatCannotBeEncodedFailsItsWriteAndSendsNothing() {
        Throwable t = catchThrowable(() -> channel.writeOutbound(new PointRequest(1, "r".repeat(256), 0.0, 1)));

        assertThat(t).isInstanceOf(EncoderException.class).hasCauseInstanceOf(IllegalArgumentException.class);
        assertThat((Object) channel.readOutbound()).isNull();
    }

    @Test
    void requestsFromTheEncoderAreReadBackByTheServersDecoder() {
        assertReadBack(FrameDecoder.requests(1 << 20), List.of(
                new Hello(0, 1, 1 << 20, 8 << 20),
                new Ping(8, -1L),
                new PointRequest(1, "3", 0.008, 1),
                new ErrorReply(2, ErrorCode.UNKNOWN_RECORD, "no record '9'"),
                new StatRequest(6, "é.txt")));
    }

    @Test
    void repliesFromTheEncoderAreReadBackByTheClientsDecoder() {
        assertReadBack(FrameDecoder.replies(1 << 20), List.of(
                new Hello(0, 1, 1 << 20, 8 << 20),
                new Pong(8, -1L),
                new ErrorReply(2, ErrorCode.UNKNOWN_RECORD, "no record '9'"),
                new ListReply(4, List.of(new FileEntry("a", true, 0, 1_700_000_000_000L))),
                new StatReply(6, 1024, 1_700_000_000_000L)));
    }

    /** Writes {@code sent} through the encoder and its frames into {@code decoder}, which reads them back as sent. */
    private void assertReadBack(FrameDecoder decoder, List<Message> sent) {
        channel.writeOutbound(sent.toArray());
        EmbeddedChannel peer = new EmbeddedChannel(decoder);
        ByteBuf out;
        while ((out = channel.readOutbound()) != null) {
            peer.writeInbound(out);
            assertThat(out.refCnt()).isZero();
        }

        for (Message m : sent) {
            assertThat((Object) peer.readInbound()).isEqualTo(m);
        }
        assertThat(peer.finish()).isFalse();
    }

    private String readFrameHex() {
        ByteBuf out = channel.readOutbound();
        assertThat(out).as("a frame was written").isNotNull();
        try {
            return hexOf(out);
        } finally {
            out.release();
        }
    }
}
