package dev.courier.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.courier.client.CourierException;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Hello;
import dev.courier.protocol.PointReply;
import dev.courier.protocol.PointRequest;
import dev.courier.transport.FrameDecoder;
import dev.courier.transport.MessageEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How the client's pipeline (frame decoder, encoder, handler) dispatches what the server sends, on an
 * {@link EmbeddedChannel} fed hand-written frames: a reply reaches its request, a request type from the server is
 * refused by the decoder as an unknown type, and a handshake answered with anything but HELLO is a bad reply.
 */
class ClientDispatchTest {
    private static final Hello CLIENT = new Hello(0, FrameDescriptor.VERSION, 16 << 20, (16 << 20) - 18);
    private static final String SERVER_HELLO = "00000014 01 00 00000000 434f5552 0001 00100040 00800000";
    /** 1: -0.295 at sample 2, 0.008 s. */
    private static final String POINT_VALUE = "0000001a 11 00 00000001 bfd2e147ae147ae1 00000002 3f80624dd2f1a9fc";
    /** 1: record "3", channel 1, 0.008 s: a request, which no server sends. */
    private static final String POINT = "00000012 10 00 00000001 0001 3f80624dd2f1a9fc 01 33";

    private final ClientHandler handler = new ClientHandler(CLIENT, 30_000);
    private final EmbeddedChannel ch = new EmbeddedChannel(FrameDecoder.replies(16 << 20), MessageEncoder.INSTANCE,
            handler);

    @AfterEach
    void nothingIsLeftOver() {
        ch.finishAndReleaseAll();
    }

    @Test
    void aReplyReachesTheRequestWithItsId() {
        handshake();
        CompletableFuture<PointReply> reply = point();

        write(POINT_VALUE);

        assertThat(reply.join()).isEqualTo(new PointReply(1, -0.295, 2, 0.008));
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void aRequestTypeFromTheServerFailsWhatIsWaitingAsUnknownTypeAndCloses() {
        handshake();
        CompletableFuture<PointReply> reply = point();

        write(POINT);

        CourierException e = failure(reply);
        assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_TYPE);
        assertThat(e.getMessage()).contains("POINT is a request; a server may not send it");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aHandshakeAnsweredWithAnythingButHelloIsABadReply() {
        drainOutbound();

        write(POINT_VALUE);

        CourierException e = failure(handler.handshake());
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_REPLY);
        assertThat(e.getMessage()).contains("answered the handshake with PointReply, not HELLO");
        assertThat(ch.isOpen()).isFalse();
    }

    private void handshake() {
        drainOutbound();
        write(SERVER_HELLO);
        assertThat(handler.handshake()).isCompleted();
    }

    /** Asks for a point (request id 1) and sends it. */
    private CompletableFuture<PointReply> point() {
        CompletableFuture<PointReply> reply = handler.send(new PointRequest(handler.nextRequestId(), "3", 0.008, 1),
                PointReply.class, ClientHandler.ReplyCheck.none(), r -> r);
        ch.runPendingTasks(); // the flush at the end of the event-loop turn
        drainOutbound();
        return reply;
    }

    private void write(String hex) {
        ch.writeInbound(Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex.replace(" ", ""))));
    }

    /** Drops what the client wrote (its HELLO, its requests): these tests look at what it does with replies. */
    private void drainOutbound() {
        for (ByteBuf b = ch.readOutbound(); b != null; b = ch.readOutbound()) {
            b.release();
        }
    }

    private static CourierException failure(CompletableFuture<?> f) {
        CompletionException e = catchThrowableOfType(CompletionException.class, f::join);
        assertThat(e).as("the future failed").isNotNull();
        assertThat(e.getCause()).isInstanceOf(CourierException.class);
        return (CourierException) e.getCause();
    }
}
