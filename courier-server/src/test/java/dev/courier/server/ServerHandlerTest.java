package dev.courier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.MessageReader;
import dev.courier.protocol.MessageWriter;
import dev.courier.protocol.Pong;
import dev.courier.protocol.Reply;
import dev.courier.server.files.FileRoot;
import dev.courier.server.files.FileService;
import dev.courier.server.points.Recording;
import dev.courier.server.points.RecordingStore;
import dev.courier.transport.FrameDecoder;
import dev.courier.transport.MessageEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.FileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's pipeline (frame decoder, encoder, handler) on an {@link EmbeddedChannel}, fed hand-written frames,
 * whole, cut into single bytes and several to a read, with a blocking executor the test runs by hand. Frames are
 * those of docs/protocol.md; what comes out is compared byte for byte, or read back with the client's reader.
 */
class ServerHandlerTest {
    private static final String CLIENT_HELLO = "00000014 01 00 00000000 434f5552 0001 01000016 01000004";
    /** The default limits: request frames of 1 MiB + 64, chunks of 8 MiB. */
    private static final String SERVER_HELLO = "00000014 01 00 00000000 434f5552 0001 00100040 00800000";
    /** 1: record "3", channel 1, 0.008 s. */
    private static final String POINT = "00000012 10 00 00000001 0001 3f80624dd2f1a9fc 01 33";
    /** 1: -0.295 at sample 2, 0.008 s. */
    private static final String POINT_VALUE = "0000001a 11 00 00000001 bfd2e147ae147ae1 00000002 3f80624dd2f1a9fc";
    /** 2: record "9", which the server does not hold. */
    private static final String POINT_UNKNOWN_RECORD = "00000012 10 00 00000002 0001 3f80624dd2f1a9fc 01 39";
    private static final String PING = "0000000e 02 00 00000008 0102030405060708";
    private static final String PONG = "0000000e 03 00 00000008 0102030405060708";
    /** 7: 65536 bytes of "b.txt" from 1020. */
    private static final String READ = "00000019 24 00 00000007 00000000000003fc 00010000 0005 622e747874";
    /** 7: the last 4 bytes of "b.txt", with their CRC32C; the bytes follow as a file region. */
    private static final String CHUNK_HEADER = "00000016 25 03 00000007 00000000000003fc 053620cb";
    /** 6: STAT "missing". */
    private static final String STAT_MISSING = "0000000f 22 00 00000006 0007 6d697373696e67";
    /** 9: READ "missing" from 0. */
    private static final String READ_MISSING = "0000001b 24 00 00000009 0000000000000000 00010000 0007 6d697373696e67";

    private final ManualExecutor blocking = new ManualExecutor();
    private ServerContext context;
    private EmbeddedChannel ch;

    @BeforeEach
    void pipeline(@TempDir Path root) throws IOException {
        Files.write(root.resolve("b.txt"), ("x".repeat(1020) + "done").getBytes(StandardCharsets.US_ASCII));
        // Record "3" at 250 Hz: sample 2 of channel 1, at 0.008 s, is -0.295, as in the bundled data set.
        Recording three = new Recording("3", List.of("ecg1", "ecg2"), 0, 250,
                new double[][] {{-0.305, -0.3, -0.295, -0.29}, {-0.26, -0.26, -0.26, -0.26}});
        ServerConfig config = ServerConfig.of(new InetSocketAddress("127.0.0.1", 0), root, root);
        context = new ServerContext(config, new RecordingStore(List.of(three), config.maxBatchPoints()),
                new FileService(new FileRoot(root), 10, 1), Optional.empty(), blocking, new Drain());
        ch = new EmbeddedChannel(FrameDecoder.requests(config.maxFrameBytes()), MessageEncoder.INSTANCE,
                new ServerHandler(context));
    }

    @AfterEach
    void nothingIsLeftOver() {
        blocking.runAll();
        ch.runPendingTasks();
        assertThat(ch.finishAndReleaseAll()).as("frames left unread").isFalse();
        context.files().close();
    }

    @Test
    void shouldAnswerTheHandshakeWithTheServersLimits() {
        write(CLIENT_HELLO);

        assertThat(outboundHex()).isEqualTo(hex(SERVER_HELLO));
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void shouldAnswerAPointCutIntoSingleBytes() {
        handshake();
        String point = hex(POINT);
        for (int i = 0; i < point.length() - 2; i += 2) {
            write(point.substring(i, i + 2));
            assertThat((Object) ch.readOutbound()).as("answer after %d bytes", i / 2 + 1).isNull();
        }

        write(point.substring(point.length() - 2));

        assertThat(outboundHex()).isEqualTo(hex(POINT_VALUE));
    }

    @Test
    void shouldAnswerThePointsOfOneReadInOneBuffer() {
        handshake();

        write(POINT + POINT + POINT);

        ByteBuf replies = ch.readOutbound();
        assertThat(ByteBufUtil.hexDump(replies)).isEqualTo(hex(POINT_VALUE + POINT_VALUE + POINT_VALUE));
        replies.release();
        assertThat((Object) ch.readOutbound()).as("a second buffer").isNull();
    }

    @Test
    void shouldAnswerSeveralRequestsInOneReadInTheirOrder() {
        handshake();

        write(POINT + POINT_UNKNOWN_RECORD + PING);

        List<Reply> replies = outboundReplies();
        assertThat(replies).hasSize(3);
        assertThat(hexOf(replies.get(0))).isEqualTo(hex(POINT_VALUE));
        ErrorReply unknown = (ErrorReply) replies.get(1);
        assertThat(unknown.requestId()).isEqualTo(2);
        assertThat(unknown.code()).isEqualTo(ErrorCode.UNKNOWN_RECORD);
        assertThat(unknown.message()).startsWith("no record '9'");
        assertThat(hexOf(replies.get(2))).isEqualTo(hex(PONG));
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void shouldAnswerRequestsSplitAcrossReadsAnywhere() {
        handshake();
        String requests = hex(POINT + PING + POINT);
        for (int split = 1; split < requests.length() / 2; split++) {
            write(requests.substring(0, 2 * split));
            write(requests.substring(2 * split));

            assertThat(outboundHex()).as("split after byte %d", split).isEqualTo(hex(POINT_VALUE + PONG + POINT_VALUE));
        }
    }

    @Test
    void shouldSendAChunkAsItsHeaderThenTheFileRegion() {
        handshake();

        write(READ);
        assertThat((Object) ch.readOutbound()).as("the reply before the blocking executor ran").isNull();
        runBlocking();

        ByteBuf header = ch.readOutbound();
        assertThat(ByteBufUtil.hexDump(header)).isEqualTo(hex(CHUNK_HEADER));
        header.release();
        FileRegion region = ch.readOutbound();
        assertThat(region.position()).isEqualTo(1020);
        assertThat(region.count()).isEqualTo(4);
        region.release();
    }

    @Test
    void shouldAnswerAStatOfAMissingFileWithNotFoundForItsRequest() {
        handshake();

        write(STAT_MISSING + POINT);
        assertThat(outboundHex()).as("the point, answered on the event loop").isEqualTo(hex(POINT_VALUE));
        runBlocking();

        ErrorReply e = (ErrorReply) single(outboundReplies());
        assertThat(e.requestId()).isEqualTo(6);
        assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(e.message()).contains("missing");
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void shouldAnswerAReadOfAMissingFileWithNotFoundForItsRequest() {
        handshake();

        write(READ_MISSING);
        runBlocking();

        ErrorReply e = (ErrorReply) single(outboundReplies());
        assertThat(e.requestId()).isEqualTo(9);
        assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void shouldFailAMalformedRequestAloneAndGoOn() {
        handshake();

        // A PING with a byte too many: that request fails, the framing is intact.
        write("0000000f 02 00 0000002a 0102030405060708 00" + POINT);

        List<Reply> replies = outboundReplies();
        assertThat(replies).hasSize(2);
        ErrorReply e = (ErrorReply) replies.get(0);
        assertThat(e.requestId()).isEqualTo(42);
        assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_REQUEST);
        assertThat(hexOf(replies.get(1))).isEqualTo(hex(POINT_VALUE));
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void shouldRefuseAReplyTypeFromTheClientAndClose() {
        handshake();

        write(POINT + POINT_VALUE + POINT);

        List<Reply> replies = outboundReplies();
        assertThat(replies).as("the POINT before it, then the refusal; nothing for the POINT after it").hasSize(2);
        assertThat(hexOf(replies.get(0))).isEqualTo(hex(POINT_VALUE));
        ErrorReply e = (ErrorReply) replies.get(1);
        assertThat(e.requestId()).as("the refused frame's id").isEqualTo(1);
        assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_TYPE);
        assertThat(e.message()).isEqualTo("POINT_VALUE is a reply; a client may not send it");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void shouldRefuseAFrameBeforeHelloAndClose() {
        write(POINT + CLIENT_HELLO);

        ErrorReply e = (ErrorReply) single(outboundReplies());
        assertThat(e.requestId()).isEqualTo(1);
        assertThat(e.code()).isEqualTo(ErrorCode.HANDSHAKE_REQUIRED);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void shouldRefuseAMalformedFrameBeforeHelloAsAMissingHandshake() {
        write("0000000f 02 00 0000002a 0102030405060708 00");

        ErrorReply e = (ErrorReply) single(outboundReplies());
        assertThat(e.requestId()).isEqualTo(42);
        assertThat(e.code()).isEqualTo(ErrorCode.HANDSHAKE_REQUIRED);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void shouldRefuseNewRequestsButAnswerPingsWhileShuttingDown() {
        handshake();
        context.drain().start();

        write(POINT + PING);

        List<Reply> replies = outboundReplies();
        assertThat(replies).hasSize(2);
        ErrorReply e = (ErrorReply) replies.get(0);
        assertThat(e.requestId()).isEqualTo(1);
        assertThat(e.code()).isEqualTo(ErrorCode.SHUTTING_DOWN);
        assertThat(replies.get(1)).isEqualTo(new Pong(8, 0x0102030405060708L));
        assertThat(ch.isOpen()).isTrue();
    }

    private void handshake() {
        write(CLIENT_HELLO);
        assertThat(outboundHex()).isEqualTo(hex(SERVER_HELLO));
    }

    /** Writes {@code frames} (hex, spaces ignored) as one read from the socket. */
    private void write(String frames) {
        ch.writeInbound(Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(hex(frames))));
    }

    /** Runs the file requests handed to the blocking executor, then what they handed back to the event loop. */
    private void runBlocking() {
        blocking.runAll();
        ch.runPendingTasks();
    }

    /** Every byte written so far, as hex; the buffers are released. */
    private String outboundHex() {
        StringBuilder out = new StringBuilder();
        for (Object o = ch.readOutbound(); o != null; o = ch.readOutbound()) {
            assertThat(o).as("what the server wrote").isInstanceOf(ByteBuf.class);
            ByteBuf buf = (ByteBuf) o;
            out.append(ByteBufUtil.hexDump(buf));
            buf.release();
        }
        return out.toString();
    }

    /** Every frame written so far, read as the client reads them. */
    private List<Reply> outboundReplies() {
        ByteBuf bytes = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump(outboundHex()));
        List<Reply> replies = new ArrayList<>();
        while (bytes.isReadable()) {
            int length = FrameDescriptor.LENGTH_FIELD_BYTES + bytes.getInt(bytes.readerIndex());
            replies.add(MessageReader.readReply(bytes.readSlice(length)));
        }
        return replies;
    }

    private static Reply single(List<Reply> replies) {
        assertThat(replies).hasSize(1);
        return replies.getFirst();
    }

    private static String hexOf(Reply reply) {
        ByteBuf buf = Unpooled.buffer();
        MessageWriter.write(reply, buf);
        return ByteBufUtil.hexDump(buf);
    }

    private static String hex(String spaced) {
        return spaced.replace(" ", "");
    }
}
