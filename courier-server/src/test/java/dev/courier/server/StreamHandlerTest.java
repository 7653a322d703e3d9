package dev.courier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.CancelStream;
import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Hello;
import dev.courier.protocol.Message;
import dev.courier.protocol.MessageReader;
import dev.courier.protocol.MessageWriter;
import dev.courier.protocol.Reply;
import dev.courier.protocol.StreamRequest;
import dev.courier.protocol.WindowUpdate;
import dev.courier.server.files.FileRoot;
import dev.courier.server.files.FileService;
import dev.courier.server.points.RecordingStore;
import dev.courier.transport.FrameDecoder;
import dev.courier.transport.MessageEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.FileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streams of one connection on an {@link EmbeddedChannel}, with a blocking executor the test runs by hand: what
 * the handler writes is each chunk's header and then its file region, only within the credit and only while the
 * channel is writable, and nothing at all, no buffer, while it waits.
 */
class StreamHandlerTest {
    private static final int CHUNK_BYTES = 4096;
    private static final int FILE_BYTES = 10 * CHUNK_BYTES + 100;

    private final ManualExecutor blocking = new ManualExecutor();
    private ServerContext context;
    private EmbeddedChannel ch;
    private long modifiedMillis;

    @BeforeEach
    void pipeline(@TempDir Path root) throws IOException {
        byte[] content = new byte[FILE_BYTES];
        new Random(5).nextBytes(content);
        Path file = Files.write(root.resolve("f.bin"), content);
        modifiedMillis = Files.getLastModifiedTime(file).toMillis();
        ServerConfig config = ServerConfig.of(new InetSocketAddress("127.0.0.1", 0), root, root);
        context = new ServerContext(config, new RecordingStore(List.of(), config.maxBatchPoints()),
                new FileService(new FileRoot(root), 10, 1), Optional.empty(), blocking, new Drain());
        ch = new EmbeddedChannel(FrameDecoder.requests(config.maxFrameBytes()), MessageEncoder.INSTANCE,
                new ServerHandler(context));
        send(new Hello(0, FrameDescriptor.VERSION, 16 << 20, 8 << 20));
        assertThat(replies()).singleElement().isInstanceOf(Hello.class);
    }

    @AfterEach
    void nothingIsLeftOver() {
        runBlocking();
        assertThat(ch.finishAndReleaseAll()).as("frames left unread").isFalse();
        context.files().close();
    }

    @Test
    void shouldSendChunksOnlyWithinTheCreditAndHoldNothingWhileWaiting() {
        send(stream(1, 0, FILE_BYTES, 2 * CHUNK_BYTES));
        assertThat((Object) ch.readOutbound()).as("before the file is opened").isNull();
        runBlocking();

        assertThat(chunks()).containsExactly(0L, (long) CHUNK_BYTES);
        runBlocking();
        assertThat((Object) ch.readOutbound()).as("what is written at zero credit").isNull();
        assertThat(ch.unsafe().outboundBuffer().totalPendingWriteBytes()).as("bytes queued at zero credit").isZero();

        send(new WindowUpdate(1, CHUNK_BYTES + 1));
        assertThat(chunks()).as("a WINDOW for one chunk and a byte").containsExactly(2L * CHUNK_BYTES);
    }

    @Test
    void shouldStopWhileTheChannelIsNotWritableAndResumeWhenItIs() {
        ch.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        send(stream(2, 0, FILE_BYTES, Integer.MAX_VALUE));
        runBlocking();
        assertThat((Object) ch.readOutbound()).as("what is written while not writable").isNull();

        ch.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
        ch.runPendingTasks();

        List<Long> offsets = chunks();
        assertThat(offsets).hasSize(11);
        assertThat(offsets.getLast()).isEqualTo(10L * CHUNK_BYTES);
    }

    @Test
    void shouldEndAStreamCancelledWhileItsFileIsOpenedWithAnEmptyEnd() {
        send(stream(3, 100, FILE_BYTES - 100, CHUNK_BYTES));
        send(new CancelStream(3));

        ChunkReply end = (ChunkReply) replies().getFirst();
        assertThat(end.end()).isTrue();
        assertThat(end.offsetBytes()).isEqualTo(100);
        assertThat(end.lengthBytes()).isZero();
        end.release();
        runBlocking();
        assertThat((Object) ch.readOutbound()).as("anything after the END").isNull();
    }

    @Test
    void shouldEndEveryStreamWhenTheConnectionCloses() {
        send(stream(4, 0, FILE_BYTES, CHUNK_BYTES));
        send(stream(5, 0, FILE_BYTES, CHUNK_BYTES));
        runBlocking();
        assertThat(chunks()).hasSize(2);

        ch.close();
        runBlocking();
        // Both file references are back: the file service closes the file, and the files' test directory can go.
        assertThat(context.drain().start()).as("requests in flight after the close").isDone();
    }

    @Test
    void shouldRefuseAWindowSmallerThanAChunk() {
        send(stream(6, 0, FILE_BYTES, CHUNK_BYTES - 1));

        ErrorReply e = (ErrorReply) replies().getFirst();
        assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_REQUEST);
        assertThat(e.requestId()).isEqualTo(6);
    }

    private StreamRequest stream(int id, long offset, long length, int window) {
        return new StreamRequest(id, "f.bin", offset, length, window, CHUNK_BYTES, FILE_BYTES, modifiedMillis);
    }

    private void send(Message m) {
        ByteBuf buf = Unpooled.buffer();
        MessageWriter.write(m, buf);
        ch.writeInbound(buf);
    }

    private void runBlocking() {
        while (blocking.runAll() > 0) {
            ch.runPendingTasks();
        }
        ch.runPendingTasks();
    }

    /** The offsets of the chunks written so far, each a header and then a region of exactly its data. */
    private List<Long> chunks() {
        List<Long> offsets = new ArrayList<>();
        for (Object o = ch.readOutbound(); o != null; o = ch.readOutbound()) {
            ByteBuf header = (ByteBuf) o;
            // The header with zeros for its data, to read it as the client reads a whole frame.
            ByteBuf frame = header.copy().writeZero(dataBytes(header));
            ChunkReply c;
            try {
                c = (ChunkReply) MessageReader.readReply(frame);
            } finally {
                header.release();
                frame.release();
            }
            Object next = ch.readOutbound();
            assertThat(next).as("what follows the header of the chunk at %d", c.offsetBytes())
                    .isInstanceOf(FileRegion.class);
            FileRegion region = (FileRegion) next;
            assertThat(region.position()).isEqualTo(c.offsetBytes());
            assertThat(region.count()).isEqualTo(c.lengthBytes());
            region.release();
            c.release();
            offsets.add(c.offsetBytes());
        }
        return offsets;
    }

    private static int dataBytes(ByteBuf header) {
        return header.getInt(header.readerIndex()) + FrameDescriptor.LENGTH_FIELD_BYTES - header.readableBytes();
    }

    /** Frames written so far that are whole buffers (not chunks with a region), read as the client reads them. */
    private List<Reply> replies() {
        List<Reply> out = new ArrayList<>();
        for (Object o = ch.readOutbound(); o != null; o = ch.readOutbound()) {
            ByteBuf buf = (ByteBuf) o;
            try {
                while (buf.isReadable()) {
                    int length = FrameDescriptor.LENGTH_FIELD_BYTES + buf.getInt(buf.readerIndex());
                    out.add(MessageReader.readReply(buf.readSlice(length)));
                }
            } finally {
                buf.release();
            }
        }
        return out;
    }
}
