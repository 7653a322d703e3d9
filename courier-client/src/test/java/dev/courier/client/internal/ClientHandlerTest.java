package dev.courier.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.courier.client.ClientConfig;
import dev.courier.client.CourierException;
import dev.courier.client.FileDigest;
import dev.courier.client.Point;
import dev.courier.client.ServerLimits;
import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Hello;
import dev.courier.protocol.Ping;
import dev.courier.protocol.Pong;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * The handler under an {@link EmbeddedChannel}: decoded frames fed to it alone, and hand-written frames fed through
 * the whole client pipeline as {@link ClientInitializer} builds it, split into single bytes and merged into one read.
 * The frames are the examples of docs/protocol.md where it has them.
 */
class ClientHandlerTest {
    private static final Hello CLIENT = new Hello(0, FrameDescriptor.VERSION, 16 << 20, (16 << 20) - 18);
    /** The client's defaults, without keepalive (whose timers would outlive the embedded channel). */
    private static final ClientConfig CONFIG = ClientConfig.of("127.0.0.1", 7420).withKeepalive(0, 0);

    private static final String CLIENT_HELLO = "00000014 01 00 00000000 434f5552 0001 01000016 01000004";
    private static final String SERVER_HELLO = "00000014 01 00 00000000 434f5552 0001 00100040 00800000";
    /** POINT of record "3", channel 1, at 0.008 s, with request id {@code n} (1 to 9). */
    private static final String POINT = "00000012 10 00 0000000%d 0001 3f80624dd2f1a9fc 01 33";
    /** POINT_VALUE for request id {@code n} (1 to 9): value -0.295 at sample 2, time 0.008 s. */
    private static final String MINUS_0_295 = "0000001a 11 00 0000000%d bfd2e147ae147ae1 00000002 3f80624dd2f1a9fc";
    /** POINT_VALUE for request id {@code n} (1 to 9): value 1.0 at sample 2, time 0.008 s. */
    private static final String ONE = "0000001a 11 00 0000000%d 3ff0000000000000 00000002 3f80624dd2f1a9fc";
    private static final String UNKNOWN_RECORD_FOR_2 = "00000017 04 00 00000002 0014 000d 6e6f207265636f726420273927";
    private static final String SHUTTING_DOWN_FOR_ALL = "0000000d 04 00 00000000 003d 0003 627965"; // "bye"
    private static final String TOO_MANY_CONNECTIONS = "0000000e 04 00 00000000 003c 0004 66756c6c"; // "full"

    /** A handler with its pipeline, as a connection has them. */
    private record Client(EmbeddedChannel channel, ClientHandler handler, WireConnection connection) {
        /** Hands the handler the bytes of {@code frames}, as one read. */
        void read(String... frames) {
            channel.writeInbound(bytes(String.join(" ", frames)));
        }

        /** What the client wrote since the last look, as one hex string, or null for nothing. */
        String written() {
            channel.runPendingTasks(); // the flush at the end of the turn
            StringBuilder out = new StringBuilder();
            for (ByteBuf b = channel.readOutbound(); b != null; b = channel.readOutbound()) {
                out.append(HexFormat.of().formatHex(drain(b)));
            }
            return out.isEmpty() ? null : out.toString();
        }
    }

    private static Client connected() {
        EmbeddedChannel ch = new EmbeddedChannel(new ClientInitializer(CONFIG));
        ClientHandler handler = ClientInitializer.handler(ch);
        return new Client(ch, handler, new WireConnection(ch, handler, new ServerLimits(1, 1048640, 8 << 20)));
    }

    private static Client handshaken() {
        Client c = connected();
        assertThat(c.written()).isEqualTo(hex(CLIENT_HELLO));
        c.read(SERVER_HELLO);
        assertThat(c.handler().handshake()).isCompleted();
        return c;
    }

    private static ByteBuf bytes(String spacedHex) {
        return Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex(spacedHex)));
    }

    private static String hex(String spacedHex) {
        return spacedHex.replace(" ", "");
    }

    private static CourierException failure(CompletableFuture<?> f) {
        assertThat(f).isCompletedExceptionally();
        return (CourierException) CourierException.unwrap(catchThrowable(f::join));
    }

    @Test
    void theClientSaysHelloFirstAndTheServersHelloCompletesTheHandshake() {
        Client c = connected();
        assertThat(c.written()).isEqualTo(hex(CLIENT_HELLO));
        assertThat(c.handler().handshake()).isNotDone();
        c.read(SERVER_HELLO);
        assertThat(c.handler().handshake().join()).isEqualTo(new Hello(0, 1, 1048640, 8 << 20));
        assertThat(c.channel().isOpen()).isTrue();
        c.channel().finishAndReleaseAll();
    }

    @Test
    void anErrorInsteadOfHelloFailsTheHandshakeWithItsCodeAndClosesTheConnection() {
        Client c = connected();
        c.written();
        c.read(TOO_MANY_CONNECTIONS);
        CourierException e = failure(c.handler().handshake());
        assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_CONNECTIONS);
        assertThat(e.getMessage()).isEqualTo("full");
        assertThat(c.channel().isOpen()).isFalse();
    }

    @Test
    void anotherFrameInsteadOfHelloIsABadReply() {
        Client c = connected();
        c.written();
        c.read(String.format(ONE, 1));
        CourierException e = failure(c.handler().handshake());
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_REPLY);
        assertThat(e.getMessage()).contains("PointReply").contains("not HELLO");
        assertThat(c.channel().isOpen()).isFalse();
    }

    @Test
    void theRequestsOfOneTurnLeaveAsOneBufferAndTheirRepliesArePairedByIdInAnyOrder() {
        Client c = handshaken();
        CompletableFuture<Point> first = c.connection().point("3", 0.008, 1);
        CompletableFuture<Point> second = c.connection().point("3", 0.008, 1);
        CompletableFuture<Point> third = c.connection().point("3", 0.008, 1);
        c.channel().runPendingTasks();
        ByteBuf batch = c.channel().readOutbound();
        assertThat(HexFormat.of().formatHex(drain(batch)))
                .isEqualTo(hex(String.format(POINT, 1) + String.format(POINT, 2) + String.format(POINT, 3)));
        assertThat((Object) c.channel().readOutbound()).as("one buffer for the three").isNull();

        c.read(String.format(ONE, 3), String.format(MINUS_0_295, 1)); // merged: two replies in one read
        assertThat(first.join()).isEqualTo(new Point(-0.295, 2, 0.008));
        assertThat(second).isNotDone();
        assertThat(third.join()).isEqualTo(new Point(1.0, 2, 0.008));
        c.read(String.format(ONE, 2));
        assertThat(second.join()).isEqualTo(new Point(1.0, 2, 0.008));
        assertThat(c.channel().isOpen()).isTrue();
        c.channel().finishAndReleaseAll();
    }

    @Test
    void aReplySplitIntoSingleBytesIsOneReplyOnceItsLastByteIsIn() {
        Client c = handshaken();
        CompletableFuture<Point> p = c.connection().point("3", 0.008, 1);
        assertThat(c.written()).isEqualTo(hex(String.format(POINT, 1)));
        byte[] frame = HexFormat.of().parseHex(hex(String.format(MINUS_0_295, 1)));
        for (int i = 0; i < frame.length - 1; i++) {
            c.channel().writeInbound(Unpooled.wrappedBuffer(frame, i, 1));
            assertThat(p).as("after %d of %d bytes", i + 1, frame.length).isNotDone();
        }
        c.channel().writeInbound(Unpooled.wrappedBuffer(frame, frame.length - 1, 1));
        assertThat(p.join()).isEqualTo(new Point(-0.295, 2, 0.008));
        c.channel().finishAndReleaseAll();
    }

    @Test
    void aServerErrorForOneRequestFailsThatOneAloneWithItsCode() {
        Client c = handshaken();
        CompletableFuture<Point> first = c.connection().point("3", 0.008, 1);
        CompletableFuture<Point> second = c.connection().point("3", 0.008, 1);
        c.written();
        c.read(UNKNOWN_RECORD_FOR_2, String.format(MINUS_0_295, 1));
        CourierException e = failure(second);
        assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_RECORD);
        assertThat(e.getMessage()).isEqualTo("no record '9'");
        assertThat(first.join().value()).isEqualTo(-0.295);
        assertThat(c.channel().isOpen()).isTrue();
        CompletableFuture<Point> next = c.connection().point("3", 0.008, 1);
        assertThat(c.written()).as("the connection goes on").isEqualTo(hex(String.format(POINT, 3)));
        c.read(String.format(ONE, 3));
        assertThat(next.join().value()).isEqualTo(1.0);
        c.channel().finishAndReleaseAll();
    }

    @Test
    void aFatalErrorAboutTheConnectionFailsEveryRequestWithItsCode() {
        Client c = handshaken();
        CompletableFuture<Point> waiting = c.connection().point("3", 0.008, 1);
        c.written();
        c.read(SHUTTING_DOWN_FOR_ALL);
        CompletableFuture<Point> later = c.connection().point("3", 0.008, 1);
        assertThat(failure(later).code()).as("failed at once").isEqualTo(ErrorCode.SHUTTING_DOWN);
        assertThat(c.written()).as("and never sent").isNull();
        assertThat(waiting).as("a request already sent still gets its reply").isNotDone();
        c.channel().close(); // the server closes after its final ERROR
        CourierException e = failure(waiting);
        assertThat(e.code()).isEqualTo(ErrorCode.SHUTTING_DOWN);
        assertThat(e.getMessage()).isEqualTo("bye");
    }

    @Test
    void pingsAreAnsweredOnlyWhileTheChannelIsWritable() {
        EmbeddedChannel ch = handshakenAlone();
        ch.writeInbound(new Ping(0, 1));
        assertThat((Object) ch.readOutbound()).isEqualTo(new Pong(0, 1));
        // The server stopped reading: what the client writes piles up unsent.
        ch.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        assertThat(ch.isWritable()).isFalse();
        ch.writeInbound(new Ping(0, 2), new Ping(0, 3));
        assertThat((Object) ch.readOutbound()).as("no PONG queued while not writable").isNull();
        ch.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        ch.writeInbound(new Ping(0, 4));
        assertThat((Object) ch.readOutbound()).isEqualTo(new Pong(0, 4));
        assertThat(ch.isOpen()).isTrue();
        ch.finishAndReleaseAll();
    }

    @Test
    void thePongsOfOneReadAreFlushedTogetherAtItsEnd() {
        EmbeddedChannel ch = handshakenAlone();
        ch.pipeline().fireChannelRead(new Ping(0, 1));
        ch.pipeline().fireChannelRead(new Ping(0, 2));
        ch.runPendingTasks();
        assertThat((Object) ch.readOutbound()).as("written, not yet flushed").isNull();
        ch.pipeline().fireChannelReadComplete();
        assertThat((Object) ch.readOutbound()).isEqualTo(new Pong(0, 1));
        assertThat((Object) ch.readOutbound()).isEqualTo(new Pong(0, 2));
        ch.finishAndReleaseAll();
    }

    /** The handler alone, fed decoded messages; what it writes stays messages too. */
    private static EmbeddedChannel handshakenAlone() {
        EmbeddedChannel ch = new EmbeddedChannel(new ClientHandler(CLIENT, 30_000));
        assertThat((Object) ch.readOutbound()).isEqualTo(CLIENT);
        ch.writeInbound(new Hello(0, FrameDescriptor.VERSION, 1 << 20, 8 << 20));
        return ch;
    }

    /** The bytes of {@code b}, which is released. */
    /** What a stream's listener heard, in order. */
    private static final class Heard implements StreamListener {
        final List<String> events = new ArrayList<>();
        CourierException failure;

        @Override
        public void chunk(ChunkReply chunk) {
            events.add(chunk.offsetBytes() + "+" + chunk.data().readableBytes());
            chunk.release();
        }

        @Override
        public void ended(long endOffsetBytes) {
            events.add("end " + endOffsetBytes);
        }

        @Override
        public void failed(CourierException f) {
            events.add("failed " + f.code());
            failure = f;
        }
    }

    /** 3 chunks of 4096 bytes and one of 10: the whole file "f" of 12298 bytes, modified at 1 ms. */
    private static final long STREAM_FILE_BYTES = 3 * 4096 + 10;
    private static final FileDigest STREAM_FILE = new FileDigest(STREAM_FILE_BYTES, 1, "00".repeat(32));

    private static ChunkReply streamChunk(long offset, int n, boolean last, boolean end) {
        byte[] data = new byte[n];
        CRC32C crc = new CRC32C();
        crc.update(data);
        return new ChunkReply(1, offset, last, end, true, (int) crc.getValue(), Unpooled.wrappedBuffer(data));
    }

    @Test
    void aStreamsChunksGoToItsListenerInOrderUntilEndAndItsRequestIsTheDocumentedFrame() {
        Client c = handshaken();
        Heard heard = new Heard();
        c.connection().stream("f", 0, STREAM_FILE_BYTES, 16384, 4096, STREAM_FILE, false, heard);
        // READ_STREAM, id 1: offset 0, length 12298, window 16384, chunks of 4096, size 12298, mtime 1, name "f"
        assertThat(c.written()).isEqualTo(hex("00000031 28 00 00000001 0000000000000000 000000000000300a 00004000"
                + " 00001000 000000000000300a 0000000000000001 0001 66"));
        c.channel().writeInbound(streamChunk(0, 4096, false, false), streamChunk(4096, 4096, false, false),
                streamChunk(8192, 4096, false, false), streamChunk(12288, 10, true, true));
        assertThat(heard.events).containsExactly("0+4096", "4096+4096", "8192+4096", "12288+10", "end 12298");
        assertThat(c.channel().isOpen()).isTrue();
        c.channel().finishAndReleaseAll();
    }

    /** A scaled chunk of stream 1 at {@code offset}: {@code channels} digits of 3, then i16 values 0, 1, ... */
    private static ChunkReply scaledChunk(long offset, int channels, int values, boolean end) {
        ByteBuf data = Unpooled.buffer();
        for (int c = 0; c < channels; c++) {
            data.writeByte(3);
        }
        for (int v = 0; v < values; v++) {
            data.writeShort(v);
        }
        CRC32C crc = new CRC32C();
        crc.update(data.nioBuffer());
        return new ChunkReply(1, offset, end, end, true, (int) crc.getValue(), data, true);
    }

    @Test
    void aRangeAsksForScaledRowsAndCountsAScaledChunkAsTheF64RowsItStandsFor() {
        Client c = handshaken();
        Heard heard = new Heard();
        // 1024 rows of 2 channels: 16384 bytes of f64 rows, in chunks of 8192 (512 rows).
        c.connection().range("3", 0, 1024, 1, new int[] {1, 2}, 16384, 8192, heard);
        // RANGE_STREAM, flags SCALED, id 1: from 0, to 1024, step 1, window 16384, chunks 8192, channels 1 and 2, "3"
        assertThat(c.written()).isEqualTo(hex("0000002a 42 10 00000001 0000000000000000 0000000000000400 00000001"
                + " 00004000 00002000 0002 0001 0002 01 33"));
        c.channel().writeInbound(scaledChunk(0, 2, 1024, false), scaledChunk(8192, 2, 1024, true));
        assertThat(heard.events).as("2 digits + 512 rows of 2 i16 each, at f64 offsets")
                .containsExactly("0+2050", "8192+2050", "end 16384");
        assertThat(c.channel().isOpen()).isTrue();
        c.channel().finishAndReleaseAll();
    }

    @Test
    void aScaledChunkOfPartRowsIsABadReply() {
        Client c = handshaken();
        Heard heard = new Heard();
        c.connection().range("3", 0, 1024, 1, new int[] {1, 2}, 16384, 8192, heard);
        c.written();
        c.channel().writeInbound(scaledChunk(0, 2, 1023, false));
        assertThat(heard.failure.code()).isEqualTo(ErrorCode.BAD_REPLY);
        assertThat(heard.failure).hasMessageContaining("not 2 digits and whole rows");
        assertThat(c.channel().isOpen()).isFalse();
        c.channel().finishAndReleaseAll();
    }

    @Test
    void aScaledChunkOnAStreamThatDidNotAskIsABadReply() {
        Client c = handshaken();
        Heard heard = new Heard();
        c.connection().stream("f", 0, STREAM_FILE_BYTES, 16384, 4096, STREAM_FILE, false, heard);
        c.written();
        c.channel().writeInbound(scaledChunk(0, 1, 100, false));
        assertThat(heard.failure.code()).isEqualTo(ErrorCode.BAD_REPLY);
        assertThat(heard.failure).hasMessageContaining("did not ask for scaled rows");
        assertThat(c.channel().isOpen()).isFalse();
        c.channel().finishAndReleaseAll();
    }

    @Test
    void consumedBytesGoBackAsOneWindowPerQuarterOfTheWindow() {
        Client c = handshaken();
        StreamHandle h = c.connection().stream("f", 0, STREAM_FILE_BYTES, 16384, 4096, STREAM_FILE, false, new Heard());
        c.written();
        c.channel().writeInbound(streamChunk(0, 4096, false, false));
        h.consumed(1000);
        assertThat(c.written()).as("less than a quarter of the window").isNull();
        h.consumed(3096);
        assertThat(c.written()).isEqualTo(hex("0000000a 29 00 00000001 00001000")); // WINDOW +4096
        c.channel().finishAndReleaseAll();
    }

    @Test
    void aChunkBeyondTheCreditGrantedIsABadReplyThatClosesTheConnection() {
        Client c = handshaken();
        Heard heard = new Heard();
        c.connection().stream("f", 0, STREAM_FILE_BYTES, 4096, 4096, STREAM_FILE, false, heard);
        c.channel().writeInbound(streamChunk(0, 4096, false, false), streamChunk(4096, 4096, false, false));
        assertThat(c.channel().isOpen()).isFalse();
        c.channel().close(); // runs the tasks of the close the handler began
        assertThat(heard.events).containsExactly("0+4096", "failed BAD_REPLY");
        assertThat(heard.failure.getMessage()).contains("beyond the 0 bytes of credit granted");
        c.channel().finishAndReleaseAll();
    }

    @Test
    void aCancelledStreamEndsWithAnEmptyEndWhereTheServerStopped() {
        Client c = handshaken();
        Heard heard = new Heard();
        StreamHandle h = c.connection().stream("f", 0, STREAM_FILE_BYTES, 16384, 4096, STREAM_FILE, false, heard);
        c.written();
        c.channel().writeInbound(streamChunk(0, 4096, false, false));
        h.cancel();
        assertThat(c.written()).isEqualTo(hex("00000006 2a 00 00000001")); // CANCEL
        h.consumed(4096);
        assertThat(c.written()).as("no credit for a cancelled stream").isNull();
        c.channel().writeInbound(streamChunk(4096, 4096, false, false), streamChunk(8192, 0, false, true));
        assertThat(heard.events).containsExactly("0+4096", "4096+4096", "end 8192");
        assertThat(c.channel().isOpen()).isTrue();
        c.channel().finishAndReleaseAll();
    }

    @Test
    void anErrorForAStreamEndsItAndLaterChunksForItsIdAreStrays() {
        Client c = handshaken();
        Heard heard = new Heard();
        c.connection().stream("f", 0, STREAM_FILE_BYTES, 16384, 4096, STREAM_FILE, false, heard);
        c.read("00000016 04 00 00000001 0037 000c 66696c65206368616e676564"); // FILE_CHANGED "file changed"
        assertThat(heard.events).containsExactly("failed FILE_CHANGED");
        for (int i = 0; i < ClientHandler.STRAY_REPLIES_ALLOWED; i++) {
            c.channel().writeInbound(streamChunk(0, 4096, false, false));
        }
        assertThat(c.channel().isOpen()).as("strays within the budget").isTrue();
        c.channel().writeInbound(streamChunk(0, 4096, false, false));
        assertThat(c.channel().isOpen()).isFalse();
        assertThat(heard.events).hasSize(1);
        c.channel().finishAndReleaseAll();
    }

    @Test
    void aLostConnectionFailsItsOpenStreams() {
        Client c = handshaken();
        Heard heard = new Heard();
        c.connection().stream("f", 0, STREAM_FILE_BYTES, 16384, 4096, STREAM_FILE, false, heard);
        c.channel().close();
        assertThat(heard.events).containsExactly("failed CONNECTION_CLOSED");
        c.channel().finishAndReleaseAll();
    }

    private static byte[] drain(ByteBuf b) {
        try {
            byte[] out = new byte[b.readableBytes()];
            b.readBytes(out);
            return out;
        } finally {
            b.release();
        }
    }
}
