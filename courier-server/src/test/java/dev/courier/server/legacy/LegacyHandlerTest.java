package dev.courier.server.legacy;

import static dev.courier.server.legacy.LegacyClient.concat;
import static dev.courier.server.legacy.LegacyClient.data;
import static dev.courier.server.legacy.LegacyClient.file;
import static dev.courier.server.legacy.LegacyClient.quit;
import static dev.courier.server.legacy.LegacyClient.sizeOf;
import static dev.courier.server.legacy.LegacyClient.type;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.server.files.FileRoot;
import dev.courier.server.files.FileService;
import dev.courier.server.ops.ServerMetrics;
import dev.courier.server.ops.ServerMetrics.Port;
import dev.courier.server.points.Recording;
import dev.courier.server.points.RecordingStore;
import dev.courier.transport.Keepalive;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.FileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The legacy pipeline on an {@link EmbeddedChannel}, with a blocking executor the test runs by hand, so the moments
 * between a file request and its reply can be looked at one by one.
 */
class LegacyHandlerTest {
    private final ArrayDeque<Runnable> blocking = new ArrayDeque<>();
    private EmbeddedChannel ch;
    private Path ten;
    private LegacyPoints points;
    private LegacyFiles files;

    @BeforeEach
    void pipeline(@TempDir Path root) throws IOException {
        ten = root.resolve("ten.bin");
        Files.write(ten, new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
        // Record "3": 250 Hz, three samples; channel 1 holds 1, 2, 3 and channel 2 holds 10, 20, 30.
        Recording three = new Recording("3", List.of("ecg1", "ecg2"), 0, 250,
                new double[][] {{1, 2, 3}, {10, 20, 30}});
        points = new LegacyPoints(new RecordingStore(List.of(three), 100));
        files = new LegacyFiles(new FileService(new FileRoot(root), 10, 1), 8);
        ch = channel(null);
    }

    /** The legacy pipeline; with metrics, behind the port's byte counter, as the server builds it. */
    private EmbeddedChannel channel(ServerMetrics metrics) {
        EmbeddedChannel c = new EmbeddedChannel();
        if (metrics != null) {
            c.pipeline().addLast(metrics.byteCounter(Port.LEGACY));
        }
        c.pipeline().addLast(new LegacyDecoder(metrics), new LegacyEncoder(metrics),
                new LegacyHandler(points, files, blocking::add, Keepalive.Timers.of(0, 0, 0)));
        return c;
    }

    @Test
    void dataRequestsAndTheirValuesCountAsSamplesAndChunksAsFileBytesHoweverTheRequestsAreSplit() {
        try (ServerMetrics metrics = ServerMetrics.start()) {
            EmbeddedChannel counted = channel(metrics);
            byte[] data = data(3, 0, 1);
            byte[] requests = concat(data, sizeOf("ten.bin"), file(2, 5, "ten.bin"), type(9), data(3, 0.004, 2),
                    quit());
            for (byte b : requests) {
                counted.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
            }
            while (!blocking.isEmpty()) {
                runBlockingTasks(counted);
            }
            long repliedBytes = 0;
            for (Object o = counted.readOutbound(); o != null; o = counted.readOutbound()) {
                repliedBytes += o instanceof FileRegion r ? r.count() : ((ByteBuf) o).readableBytes();
                ReferenceCountUtil.release(o);
            }
            assertThat(counted.isOpen()).as("closed after the QUIT").isFalse();

            String text = metrics.scrape();
            assertThat(legacyBytes(text, "received", "samples")).isEqualTo(2 * data.length);
            assertThat(legacyBytes(text, "received", "file")).isZero();
            assertThat(legacyBytes(text, "received", "control")).isEqualTo(requests.length - 2 * data.length);
            assertThat(legacyBytes(text, "sent", "samples")).isEqualTo(2 * Double.BYTES);
            assertThat(legacyBytes(text, "sent", "file")).isEqualTo(5);
            assertThat(legacyBytes(text, "sent", "control")).as("the size and the unknown type's byte")
                    .isEqualTo(Long.BYTES + 1);
            assertThat(legacyBytes(text, "sent", "samples") + legacyBytes(text, "sent", "file")
                    + legacyBytes(text, "sent", "control")).as("the kinds add up to what was sent")
                    .isEqualTo(repliedBytes);
        }
    }

    /** The legacy port's bytes of one kind, sent or received, from the Prometheus text. */
    private static double legacyBytes(String text, String direction, String kind) {
        Matcher m = Pattern.compile("(?m)^courier_bytes_" + direction + "_total\\{kind=\"" + kind
                + "\",port=\"legacy\"} (\\S+)$").matcher(text);
        assertThat(m.find()).as(direction + " " + kind + " in\n" + text).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void repliesBehindAFileRequestWaitForItsReply() {
        ch.writeInbound(Unpooled.wrappedBuffer(concat(data(3, 0, 1), file(0, 0, "ten.bin"), data(3, 0.008, 2))));

        assertThat(readDouble()).isEqualTo(1);
        assertThat((Object) ch.readOutbound()).as("nothing may overtake the file reply").isNull();
        assertThat(ch.config().isAutoRead()).as("reading while a file request is in flight").isFalse();

        runBlockingTasks();

        assertThat(readLong()).isEqualTo(10);
        assertThat(readDouble()).isEqualTo(30);
        assertThat(ch.config().isAutoRead()).isTrue();
    }

    @Test
    void chunksGoOutAsFileRegionsInTheirPlace() throws Exception {
        ch.writeInbound(Unpooled.wrappedBuffer(concat(file(2, 5, "ten.bin"), type(9), data(3, 0.004, 1))));
        runBlockingTasks();

        FileRegion region = ch.readOutbound();
        assertThat(region.position()).isEqualTo(2);
        assertThat(region.count()).isEqualTo(5);
        region.release();
        ByteBuf unknown = ch.readOutbound();
        assertThat(ByteBufUtil.hexDump(unknown)).isEqualTo("00");
        unknown.release();
        assertThat(readDouble()).isEqualTo(2);
    }

    @Test
    void aSmallChunkOfAFileAlreadyOpenIsAnsweredOnTheEventLoopInItsPlace() throws Exception {
        ch.writeInbound(Unpooled.wrappedBuffer(file(0, 1, "ten.bin")));
        runBlockingTasks();
        ((FileRegion) ch.readOutbound()).release();

        ch.writeInbound(Unpooled.wrappedBuffer(concat(data(3, 0, 1), file(3, 4, "ten.bin"), sizeOf("ten.bin"),
                data(3, 0.004, 2))));

        assertThat(blocking).as("tasks for the blocking executor").isEmpty();
        assertThat(readDouble()).isEqualTo(1);
        ByteBuf chunk = ch.readOutbound();
        assertThat(ByteBufUtil.getBytes(chunk)).isEqualTo(Arrays.copyOfRange(Files.readAllBytes(ten), 3, 7));
        chunk.release();
        assertThat(readLong()).isEqualTo(Files.size(ten));
        assertThat(readDouble()).isEqualTo(20);
        assertThat(ch.config().isAutoRead()).isTrue();
    }

    @Test
    void aFileChangedSinceItWasOpenedIsOpenedAgainOnTheBlockingExecutor() throws Exception {
        ch.writeInbound(Unpooled.wrappedBuffer(file(0, 1, "ten.bin")));
        runBlockingTasks();
        ((FileRegion) ch.readOutbound()).release();
        Files.write(ten, new byte[] {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 42});

        ch.writeInbound(Unpooled.wrappedBuffer(concat(sizeOf("ten.bin"), data(3, 0, 1))));

        assertThat((Object) ch.readOutbound()).as("a reply before the new version is opened").isNull();
        assertThat(blocking).hasSize(1);
        runBlockingTasks();
        assertThat(readLong()).isEqualTo(Files.size(ten));
        assertThat(readDouble()).isEqualTo(1);
    }

    @Test
    void aFileCutShortSinceItWasOpenedClosesAfterTheRepliesBefore() throws Exception {
        ch.writeInbound(Unpooled.wrappedBuffer(file(6, 4, "ten.bin")));
        runBlockingTasks();
        ((FileRegion) ch.readOutbound()).release();
        try (FileChannel f = FileChannel.open(ten, StandardOpenOption.WRITE)) {
            f.truncate(5);
        }

        ch.writeInbound(Unpooled.wrappedBuffer(concat(data(3, 0, 1), file(6, 4, "ten.bin"), data(3, 0, 2))));
        runBlockingTasks();

        assertThat(readDouble()).isEqualTo(1);
        assertNoMoreReplies();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aChunkOverTheEventLoopsLimitStillGoesToTheBlockingExecutor(@TempDir Path root) throws Exception {
        int length = LegacyFiles.MAX_CACHED_CHUNK_BYTES + 1;
        Files.write(root.resolve("big.bin"), new byte[length]);
        EmbeddedChannel big = new EmbeddedChannel(new LegacyDecoder(null), new LegacyEncoder(null),
                new LegacyHandler(new LegacyPoints(new RecordingStore(List.of(), 100)),
                        new LegacyFiles(new FileService(new FileRoot(root), 10, 1), length), blocking::add,
                        Keepalive.Timers.of(0, 0, 0)));
        for (int i = 0; i < 2; i++) {
            big.writeInbound(Unpooled.wrappedBuffer(file(0, length, "big.bin")));
            assertThat(blocking).as("request %d", i).hasSize(1);
            runBlockingTasks(big);
            FileRegion region = big.readOutbound();
            assertThat(region.count()).isEqualTo(length);
            region.release();
        }
        big.finishAndReleaseAll();
    }

    @Test
    void closesAfterSendingTheRepliesBeforeARequestItCannotAnswer() {
        ch.writeInbound(Unpooled.wrappedBuffer(concat(data(3, 0, 1), data(4, 0, 1), data(3, 0, 2))));

        assertThat(readDouble()).isEqualTo(1);
        assertNoMoreReplies();
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void closesWhenAFileRequestFailsOnTheBlockingExecutor() {
        ch.writeInbound(Unpooled.wrappedBuffer(concat(data(3, 0, 1), file(0, 5, "missing.bin"), data(3, 0, 2))));
        assertThat(ch.isOpen()).isTrue();

        // Not open yet, so only the executor finds that it does not exist.
        runBlockingTasks();

        assertThat(readDouble()).isEqualTo(1);
        assertNoMoreReplies();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void closesOnTheEventLoopForAChunkOverTheMaximum() {
        ch.writeInbound(Unpooled.wrappedBuffer(concat(data(3, 0, 1), file(0, 9, "ten.bin"), data(3, 0, 2))));

        // Longer than this pipeline's 8-byte maximum chunk: refused before anything is asked of the disk.
        assertThat(blocking).isEmpty();
        assertThat(readDouble()).isEqualTo(1);
        assertNoMoreReplies();
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void quitClosesAfterTheRepliesBeforeIt() {
        ch.writeInbound(Unpooled.wrappedBuffer(concat(data(3, 0.004, 2), quit(), data(3, 0, 1))));
        ch.runPendingTasks();

        assertThat(readDouble()).isEqualTo(20);
        assertNoMoreReplies();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void answersWhatIsQueuedThenClosesWhenTheInputEnds() {
        ch.writeInbound(Unpooled.wrappedBuffer(concat(file(0, 0, "ten.bin"), data(3, 0, 1))));
        ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertThat(ch.isOpen()).as("open until the queued requests are answered").isTrue();

        runBlockingTasks();

        assertThat(readLong()).isEqualTo(10);
        assertThat(readDouble()).isEqualTo(1);
        assertThat(ch.isOpen()).isFalse();
    }

    private void runBlockingTasks() {
        runBlockingTasks(ch);
    }

    private void runBlockingTasks(EmbeddedChannel channel) {
        for (Runnable task = blocking.poll(); task != null; task = blocking.poll()) {
            task.run();
        }
        channel.runPendingTasks();
    }

    /** No reply bytes left; the empty buffer that the close waits behind carries none. */
    private void assertNoMoreReplies() {
        for (Object o = ch.readOutbound(); o != null; o = ch.readOutbound()) {
            assertThat(o).isInstanceOf(ByteBuf.class);
            ByteBuf buf = (ByteBuf) o;
            int readable = buf.readableBytes();
            buf.release();
            assertThat(readable).as("bytes of a reply that should not have been sent").isZero();
        }
    }

    private double readDouble() {
        return read(8).getDouble();
    }

    private long readLong() {
        return read(8).getLong();
    }

    private ByteBuffer read(int bytes) {
        ByteBuf buf = ch.readOutbound();
        assertThat(buf).as("a reply").isNotNull();
        try {
            assertThat(buf.readableBytes()).isEqualTo(bytes);
            byte[] b = new byte[bytes];
            buf.readBytes(b);
            return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        } finally {
            buf.release();
        }
    }
}
