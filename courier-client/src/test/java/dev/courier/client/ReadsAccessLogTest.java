package dev.courier.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.MessageWriter;
import dev.courier.protocol.ReadRequest;
import dev.courier.protocol.Reply;
import dev.courier.server.CourierServer;
import dev.courier.server.access.AccessLog;
import dev.courier.server.access.ReadTransfers;
import dev.courier.server.testing.LogCapture;
import dev.courier.server.testing.RawConnection;
import dev.courier.server.testing.TestFiles;
import dev.courier.server.testing.TestServers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The access log's {@code transfer ended} lines of kind {@code file_reads}: a download by per-chunk READs (the
 * client library's Downloader with streams off, or READs sent by hand) gives one line per connection and file, whose
 * bytes and READs are those the connection was sent and asked for, and whose outcome says whether it got the whole
 * file, stopped early, was cut with READs unanswered, or failed.
 */
class ReadsAccessLogTest {
    @TempDir
    static Path served;
    static CourierServer server;
    /** At most one READ served at a time per connection, so a client that stops reading leaves READs waiting. */
    static CourierServer oneReadAtATime;
    private LogCapture log;

    @BeforeAll
    static void start() throws Exception {
        TestFiles.random(served.resolve("odd.bin"), 3 * 1000 * 1000 + 7, 31);
        TestFiles.random(served.resolve("big.bin"), (32 << 20) + 4321, 32);
        TestFiles.random(served.resolve("small.bin"), 1000, 33);
        server = TestServers.start(served);
        oneReadAtATime = CourierServer.start(TestServers.config(served).toBuilder().maxFileOpsInFlight(1).build());
    }

    @AfterAll
    static void stop() {
        server.close();
        oneReadAtATime.close();
    }

    /** Before any connection of a test is accepted: a connection has an access record only if the log was on then. */
    @BeforeEach
    void captureTheAccessLog() {
        log = LogCapture.atInfo(AccessLog.LOGGER);
    }

    @AfterEach
    void stopCapturing() {
        log.close();
    }

    @Test
    void aDownloadByReadsOverOneConnectionIsOneLineWithEveryByte(@TempDir Path dest) throws Exception {
        int chunk = 65_521;
        long size = Files.size(served.resolve("odd.bin"));
        DownloadResult r;
        try (CourierClient client = client(server)) {
            r = new Downloader(client, byReads().withConnections(1).withChunkBytes(chunk), DownloadProgress.NONE)
                    .download("odd.bin", dest);
        }
        assertThat(r.chunkBytes()).isEqualTo(chunk);
        assertThat(Files.mismatch(served.resolve("odd.bin"), r.path())).isEqualTo(-1);
        Map<String, String> line = await(readsOf("odd.bin"));
        assertThat(line).containsEntry("outcome", "ok")
                .containsEntry("bytes", String.valueOf(size))
                .containsEntry("reads", String.valueOf((size + chunk - 1) / chunk))
                .containsKeys("peer", "duration_ms");
        assertThat(linesOf("odd.bin")).hasSize(1);
    }

    @Test
    void aDownloadOverTwoConnectionsIsOneLinePerConnectionAndTheirBytesAddUpToTheFile(@TempDir Path dest)
            throws Exception {
        int chunk = 64 << 10;
        long size = Files.size(served.resolve("big.bin"));
        DownloadResult r;
        try (CourierClient client = client(server)) {
            r = new Downloader(client, byReads().withConnections(2).withChunkBytes(chunk), DownloadProgress.NONE)
                    .download("big.bin", dest);
        }
        assertThat(r.connections()).isEqualTo(2);
        assertThat(Files.mismatch(served.resolve("big.bin"), r.path())).isEqualTo(-1);
        log.await(l -> linesOf("big.bin").size() == 2, 10_000);
        List<Map<String, String>> lines = linesOf("big.bin");
        assertThat(lines).hasSize(2)
                .allSatisfy(l -> assertThat(l).containsEntry("outcome", "partial"))
                .extracting(l -> l.get("peer")).doesNotHaveDuplicates();
        assertThat(lines.stream().mapToLong(l -> Long.parseLong(l.get("bytes"))).sum()).isEqualTo(size);
        assertThat(lines.stream().mapToLong(l -> Long.parseLong(l.get("reads"))).sum())
                .isEqualTo((size + chunk - 1) / chunk);
    }

    @Test
    void aClientThatStopsAfterOneChunkAndClosesLeavesAPartialLine() throws Exception {
        int chunk = 1 << 20;
        try (RawConnection c = RawConnection.handshaken(address(server))) {
            c.send(new ReadRequest(1, "big.bin", 0, chunk));
            release(c.receive());
        }
        Map<String, String> line = await(readsOf("big.bin"));
        assertThat(line).containsEntry("outcome", "partial").containsEntry("bytes", String.valueOf(chunk))
                .containsEntry("reads", "1");
    }

    @Test
    void aConnectionCutWithReadsUnansweredLeavesAConnectionClosedLine() throws Exception {
        int chunk = 1 << 20;
        int reads = 16;
        long size = Files.size(served.resolve("big.bin"));
        // Sixteen MiB asked for at once, one READ served at a time, and a client that reads one chunk and no more:
        // the socket's buffers hold a few MiB, so most READs are still waiting for their turn when it goes.
        ByteBuf frames = Unpooled.buffer();
        for (int i = 0; i < reads; i++) {
            MessageWriter.write(new ReadRequest(i + 1, "big.bin", (long) i * chunk, chunk), frames);
        }
        byte[] bytes = new byte[frames.readableBytes()];
        frames.readBytes(bytes);
        try (RawConnection c = RawConnection.handshaken(address(oneReadAtATime), 64 << 10)) {
            c.sendRaw(bytes); // one write, so the server reads every READ at once
            release(c.receive());
            c.abort();
        }
        Map<String, String> line = await(readsOf("big.bin"));
        assertThat(line).containsEntry("outcome", "connection_closed").containsEntry("reads", String.valueOf(reads));
        long sent = Long.parseLong(line.get("bytes"));
        assertThat(sent).isBetween((long) chunk, (long) (reads - 1) * chunk).isLessThan(size);
        assertThat(sent % chunk).as("whole chunks").isZero();
    }

    @Test
    void aReadOfAMissingFileEndsWithTheErrorCodeItWasAnswered() throws Exception {
        ErrorReply refused;
        try (RawConnection c = RawConnection.handshaken(address(server))) {
            c.send(new ReadRequest(1, "no-such.bin", 0, 4096));
            refused = (ErrorReply) c.receive();
            // Written as the ERROR goes out, not when the connection closes.
            Map<String, String> line = await(readsOf("no-such.bin"));
            assertThat(line).containsEntry("outcome", refused.code().name()).containsEntry("bytes", "0")
                    .containsEntry("reads", "1");
        }
    }

    @Test
    void readingAnotherFileEndsTheTransferOfTheFirst() throws Exception {
        int chunk = 64 << 10;
        long small = Files.size(served.resolve("small.bin"));
        try (RawConnection c = RawConnection.handshaken(address(server))) {
            c.send(new ReadRequest(1, "big.bin", 0, chunk));
            release(c.receive());
            c.send(new ReadRequest(2, "small.bin", 0, chunk));
            release(c.receive());
            assertThat(await(readsOf("big.bin"))).containsEntry("outcome", "partial")
                    .containsEntry("bytes", String.valueOf(chunk)).containsEntry("reads", "1");
            // One READ of a file smaller than a chunk sends all of it: that transfer is whole at once.
            assertThat(await(readsOf("small.bin"))).containsEntry("outcome", "ok")
                    .containsEntry("bytes", String.valueOf(small)).containsEntry("reads", "1");
        }
    }

    @Test
    void aFileReplacedBetweenItsReadsIsVersionChanged() throws Exception {
        int chunk = 64 << 10;
        long size = 2L * chunk + 5;
        Path file = TestFiles.random(served.resolve("replaced.bin"), size, 34);
        try (RawConnection c = RawConnection.handshaken(address(server))) {
            c.send(new ReadRequest(1, "replaced.bin", 0, chunk));
            release(c.receive());
            // Another file of the same size renamed over it: another inode, so another version.
            Path next = TestFiles.random(served.resolve("replaced.bin.next"), size, 35);
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            c.send(new ReadRequest(2, "replaced.bin", chunk, chunk));
            release(c.receive());
            c.send(new ReadRequest(3, "replaced.bin", 2L * chunk, chunk));
            release(c.receive());
            assertThat(await(readsOf("replaced.bin"))).containsEntry("outcome", "version_changed")
                    .containsEntry("bytes", String.valueOf(size)).containsEntry("reads", "3");
        }
    }

    private static DownloadOptions byReads() {
        return DownloadOptions.defaults().withStream(false).withResume(false);
    }

    private static CourierClient client(CourierServer s) {
        return new CourierClient(ClientConfig.of("127.0.0.1", s.localAddress().getPort()));
    }

    private static InetSocketAddress address(CourierServer s) {
        return new InetSocketAddress("127.0.0.1", s.localAddress().getPort());
    }

    private static void release(Reply reply) {
        if (reply instanceof ChunkReply c) {
            c.release();
        }
    }

    private static Predicate<LogCapture.Line> readsOf(String name) {
        return l -> l.message().equals("transfer ended") && ReadTransfers.KIND.equals(l.keyValues().get("kind"))
                && name.equals(l.keyValues().get("name"));
    }

    private Map<String, String> await(Predicate<LogCapture.Line> match) {
        return log.await(match, 10_000).keyValues();
    }

    private List<Map<String, String>> linesOf(String name) {
        return log.lines().stream().filter(readsOf(name)).map(LogCapture.Line::keyValues).toList();
    }
}
