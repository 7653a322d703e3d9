package dev.courier.server.streams;

import static dev.courier.server.streams.StreamClient.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.CancelStream;
import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.Message;
import dev.courier.protocol.MessageWriter;
import dev.courier.protocol.Ping;
import dev.courier.protocol.Pong;
import dev.courier.protocol.Reply;
import dev.courier.protocol.StreamRequest;
import dev.courier.protocol.WindowUpdate;
import dev.courier.server.CourierServer;
import dev.courier.server.ServerConfig;
import dev.courier.server.streams.StreamClient.Received;
import dev.courier.server.testing.RawConnection;
import dev.courier.server.testing.TestFiles;
import dev.courier.server.testing.TestServers;
import dev.courier.server.testing.WellBehavedClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming read against a real server on loopback, driven by raw frames: whole files and ranges arrive in
 * order with CRC32Cs computed here, the credit is never exceeded, CANCEL and WINDOW behave as docs/protocol.md
 * says, and every bad field gets its typed error while the connection and the server go on serving.
 */
class StreamReadTest {
    private static final int CHUNK_BYTES = 64 << 10;
    /** 1 MiB and an odd tail, so the last chunk is short. */
    private static final int FILE_BYTES = (1 << 20) + 12345;
    /** Well above what the kernel's socket buffers and the server's queue hold. */
    private static final long TURNS_FILE_BYTES = 32L << 20;

    @TempDir
    static Path root;
    private static Path file;
    /** A sparse 1 GiB file: a stream of it cannot finish while a test looks at it. */
    private static Path huge;
    private static byte[] content;
    private static CourierServer server;

    @BeforeAll
    static void start() throws Exception {
        file = TestFiles.random(root.resolve("data.bin"), FILE_BYTES, 12);
        content = Files.readAllBytes(file);
        huge = root.resolve("huge.bin");
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(1L << 30);
        }
        server = TestServers.start(root);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void wholeFileArrivesInOrderInChunksOfTheSizeAskedFor() throws Exception {
        try (RawConnection c = RawConnection.handshaken(server.localAddress())) {
            StreamRequest r = request(1, file, 0, FILE_BYTES, Integer.MAX_VALUE, CHUNK_BYTES);
            c.send(r);

            assertThat(new Received(r).readToEnd(c).bytes()).isEqualTo(content);
        }
    }

    @Test
    void rangeInsideTheFileArrivesWithoutLast() throws Exception {
        try (RawConnection c = RawConnection.handshaken(server.localAddress())) {
            StreamRequest r = request(2, file, 1000, 300_000, 1 << 20, 4096);
            c.send(r);

            assertThat(new Received(r).readToEnd(c).bytes()).isEqualTo(Arrays.copyOfRange(content, 1000, 301_000));
        }
    }

    @Test
    void lengthZeroIsOneEmptyEndAndLastOnlyAtTheEndOfTheFile() throws Exception {
        try (RawConnection c = RawConnection.handshaken(server.localAddress())) {
            c.send(request(3, file, 100, 0, 4096, 4096));
            ChunkReply inside = (ChunkReply) c.receive();
            c.send(request(4, file, FILE_BYTES, 0, 4096, 4096));
            ChunkReply atEnd = (ChunkReply) c.receive();

            assertThat(inside.offsetBytes()).isEqualTo(100);
            assertThat(inside.lengthBytes()).isZero();
            assertThat(inside.end()).isTrue();
            assertThat(inside.last()).isFalse();
            assertThat(inside.crc32c()).isZero();
            assertThat(atEnd.offsetBytes()).isEqualTo(FILE_BYTES);
            assertThat(atEnd.lengthBytes()).isZero();
            assertThat(atEnd.end()).isTrue();
            assertThat(atEnd.last()).isTrue();
        }
    }

    @Test
    void serverStopsAtZeroCreditAndResumesOnWindow() throws Exception {
        try (RawConnection c = RawConnection.handshaken(server.localAddress())) {
            StreamRequest r = request(5, file, 0, FILE_BYTES, 3 * CHUNK_BYTES, CHUNK_BYTES);
            Received s = new Received(r);
            c.send(r);
            for (int i = 0; i < 3; i++) {
                s.accept((ChunkReply) c.receive());
            }
            assertThat(s.creditBytes).isZero();
            // Anything the server sent beyond the credit would come before the PONG.
            assertNextIsPong(c, 50);

            for (int grant : new int[] {CHUNK_BYTES, 5 * CHUNK_BYTES + 7, Integer.MAX_VALUE - 5 * CHUNK_BYTES - 7}) {
                c.send(new WindowUpdate(5, grant));
                s.granted(grant);
                while (s.creditBytes >= Math.min(CHUNK_BYTES, s.endBytes - s.nextBytes) && !s.ended) {
                    s.accept((ChunkReply) c.receive());
                }
                if (!s.ended) {
                    assertNextIsPong(c, 51);
                }
            }
            assertThat(s.ended).isTrue();
            assertThat(s.bytes()).isEqualTo(content);
        }
    }

    @Test
    void windowOverflowEndsTheStreamWithMalformedRequest() throws Exception {
        try (RawConnection c = RawConnection.handshaken(server.localAddress())) {
            StreamRequest r = request(6, huge, 0, 1L << 30, Integer.MAX_VALUE, CHUNK_BYTES);
            c.send(r);
            c.send(new WindowUpdate(6, Integer.MAX_VALUE));

            ErrorReply e = skipChunksToError(c, 6);
            assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_REQUEST);
            assertThat(e.message()).contains("window overflow");
            // The stream is gone: a WINDOW for it is ignored, and the connection serves on.
            c.send(new WindowUpdate(6, 1));
            assertNextIsPong(c, 52);
            WellBehavedClient.assertServed(c, 53);
        }
    }

    @Test
    void windowAndCancelForAnIdWithNoStreamAreIgnored() throws Exception {
        try (RawConnection c = RawConnection.handshaken(server.localAddress())) {
            c.send(new WindowUpdate(77, 4096));
            c.send(new CancelStream(78));

            assertNextIsPong(c, 54);
            WellBehavedClient.assertServed(c, 55);
        }
    }

    @Test
    void cancelEndsTheStreamWhereItStoppedAndFreesTheId() throws Exception {
        try (RawConnection c = RawConnection.handshaken(server.localAddress())) {
            StreamRequest r = request(7, huge, 4096, 1L << 29, 4 * CHUNK_BYTES, CHUNK_BYTES);
            Received s = new Received(r);
            c.send(r);
            for (int i = 0; i < 4; i++) {
                s.accept((ChunkReply) c.receive());
            }
            c.send(new CancelStream(7));

            ChunkReply end = (ChunkReply) c.receive();
            assertThat(end.requestId()).isEqualTo(7);
            assertThat(end.end()).isTrue();
            assertThat(end.hasCrc()).isTrue();
            assertThat(end.crc32c()).isZero();
            assertThat(end.lengthBytes()).isZero();
            assertThat(end.offsetBytes()).isEqualTo(4096 + 4L * CHUNK_BYTES);
            assertThat(end.last()).isFalse();

            StreamRequest again = request(7, file, 0, 5000, 4096, 4096);
            Received s2 = new Received(again);
            c.send(again);
            c.send(new WindowUpdate(7, 904));
            s2.granted(904);
            assertThat(s2.readToEnd(c).bytes()).isEqualTo(Arrays.copyOf(content, 5000));
        }
    }

    @Test
    void cancelOfAStreamStillBeingOpenedEndsItAtItsOffset() throws Exception {
        try (RawConnection c = RawConnection.handshaken(server.localAddress())) {
            // Both in one write: the CANCEL is read before the file's open comes back to the event loop.
            StreamRequest r = request(8, huge, 8192, 1L << 20, CHUNK_BYTES, CHUNK_BYTES);
            c.sendRaw(concat(r, new CancelStream(8)));

            Reply m = c.receive();
            if (m instanceof ChunkReply first && !first.end()) {
                first.release();
                m = c.receive(); // the open won the race after all: one chunk went out before the CANCEL
            }
            ChunkReply end = (ChunkReply) m;
            assertThat(end.end()).isTrue();
            assertThat(end.lengthBytes()).isZero();
            assertNextIsPong(c, 56);
        }
    }

    @Test
    void everyBadFieldGetsItsTypedErrorAndTheConnectionServesOn() throws Exception {
        long size = Files.size(file);
        long millis = Files.getLastModifiedTime(file).toMillis();
        Map<StreamRequest, ErrorCode> bad = new HashMap<>();
        bad.put(new StreamRequest(10, "data.bin", 0, size, 4096, 4095, size, millis), ErrorCode.MALFORMED_REQUEST);
        bad.put(new StreamRequest(11, "data.bin", 0, size, 4096, 0, size, millis), ErrorCode.MALFORMED_REQUEST);
        bad.put(new StreamRequest(12, "data.bin", 0, size, Integer.MAX_VALUE, (8 << 20) + 1, size, millis),
                ErrorCode.CHUNK_TOO_LARGE);
        bad.put(new StreamRequest(13, "data.bin", 0, size, Integer.MAX_VALUE, -1, size, millis),
                ErrorCode.CHUNK_TOO_LARGE);
        bad.put(new StreamRequest(14, "data.bin", 0, size, 8191, 8192, size, millis), ErrorCode.MALFORMED_REQUEST);
        bad.put(new StreamRequest(15, "data.bin", 1, size, 4096, 4096, size, millis), ErrorCode.OFFSET_PAST_END);
        bad.put(new StreamRequest(16, "data.bin", size + 1, 0, 4096, 4096, size, millis), ErrorCode.OFFSET_PAST_END);
        bad.put(new StreamRequest(17, "data.bin", 0, size - 1, 4096, 4096, size - 1, millis),
                ErrorCode.FILE_CHANGED);
        bad.put(new StreamRequest(18, "data.bin", 0, size, 4096, 4096, size, millis + 1), ErrorCode.FILE_CHANGED);
        bad.put(new StreamRequest(19, "missing.bin", 0, 1, 4096, 4096, 1, millis), ErrorCode.NOT_FOUND);
        bad.put(new StreamRequest(20, "../data.bin", 0, 1, 4096, 4096, 1, millis), ErrorCode.OUTSIDE_ROOT);
        try (RawConnection c = RawConnection.handshaken(server.localAddress())) {
            for (Map.Entry<StreamRequest, ErrorCode> e : bad.entrySet()) {
                c.send(e.getKey());
                Reply m = c.receive();

                assertThat(m).as("the answer to %s", e.getKey()).isInstanceOf(ErrorReply.class);
                assertThat(((ErrorReply) m).code()).as("the answer to %s", e.getKey()).isEqualTo(e.getValue());
                assertThat(m.requestId()).isEqualTo(e.getKey().requestId());
                WellBehavedClient.assertServed(c, 99);
            }
            StreamRequest good = request(21, file, 0, FILE_BYTES, 1 << 20, CHUNK_BYTES);
            Received received = new Received(good);
            c.send(good);
            c.send(new WindowUpdate(21, FILE_BYTES));
            received.granted(FILE_BYTES);
            assertThat(received.readToEnd(c).bytes()).isEqualTo(content);
        }
        WellBehavedClient.assertServedWithinASecond(server.localAddress());
    }

    @Test
    void theSeventeenthStreamIsTooManyAndAnEndedOneMakesRoom() throws Exception {
        try (RawConnection c = RawConnection.handshaken(server.localAddress())) {
            int max = ServerConfig.DEFAULT_MAX_STREAMS_PER_CONNECTION;
            for (int id = 1; id <= max; id++) {
                // One chunk of credit each: every stream sends one chunk and stays open.
                c.send(request(100 + id, huge, 0, 1L << 30, 4096, 4096));
            }
            for (int i = 0; i < max; i++) {
                ChunkReply first = (ChunkReply) c.receive();
                assertThat(first.end()).isFalse();
                first.release();
            }
            c.send(request(200, huge, 0, 4096, 4096, 4096));
            ErrorReply refused = (ErrorReply) c.receive();
            assertThat(refused.code()).isEqualTo(ErrorCode.TOO_MANY_STREAMS);
            assertThat(refused.code().fatal()).isFalse();
            assertThat(refused.requestId()).isEqualTo(200);
            WellBehavedClient.assertServed(c, 99);

            c.send(new CancelStream(101));
            assertThat(((ChunkReply) c.receive()).end()).isTrue();
            StreamRequest now = request(200, file, 0, 4096, 4096, 4096);
            c.send(now);
            assertThat(new Received(now).readToEnd(c).bytes()).isEqualTo(Arrays.copyOf(content, 4096));
        }
    }

    @Test
    void aDuplicateIdIsMalformedAndEndsTheOpenStreamToo() throws Exception {
        try (RawConnection c = RawConnection.handshaken(server.localAddress())) {
            c.send(request(30, huge, 0, 1L << 30, 4096, 4096));
            ChunkReply first = (ChunkReply) c.receive();
            first.release();
            c.send(request(30, file, 0, 4096, 4096, 4096));

            ErrorReply e = (ErrorReply) c.receive();
            assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_REQUEST);
            assertThat(e.requestId()).isEqualTo(30);
            // Neither stream sends anything more, even with credit.
            c.send(new WindowUpdate(30, 1 << 20));
            assertNextIsPong(c, 57);
            WellBehavedClient.assertServed(c, 58);
        }
    }

    @Test
    void aMalformedWindowEndsItsStream() throws Exception {
        try (RawConnection c = RawConnection.handshaken(server.localAddress())) {
            c.send(request(31, huge, 0, 1L << 30, 4096, 4096));
            ((ChunkReply) c.receive()).release();
            // WINDOW with an increment of 0: type 0x29, id 31.
            c.sendRaw(new byte[] {0, 0, 0, 10, 0x29, 0, 0, 0, 0, 31, 0, 0, 0, 0});

            ErrorReply e = (ErrorReply) c.receive();
            assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_REQUEST);
            assertThat(e.requestId()).isEqualTo(31);
            c.send(new WindowUpdate(31, 1 << 20));
            assertNextIsPong(c, 59);
        }
    }

    @Test
    void severalStreamsOnOneConnectionTakeTurns() throws Exception {
        Path[] files = new Path[3];
        byte[][] contents = new byte[3][];
        for (int i = 0; i < 3; i++) {
            files[i] = TestFiles.random(root.resolve("turns-" + i + ".bin"), TURNS_FILE_BYTES, 40 + i);
            contents[i] = Files.readAllBytes(files[i]);
        }
        // A small receive buffer: the first stream granted cannot be sent whole before the others are granted too.
        try (RawConnection c = RawConnection.handshaken(server.localAddress(), 64 << 10)) {
            Map<Integer, Received> streams = new HashMap<>();
            for (int i = 0; i < 3; i++) {
                // One chunk of credit first, so all three are open before any has more.
                StreamRequest r = request(40 + i, files[i], 0, TURNS_FILE_BYTES, CHUNK_BYTES, CHUNK_BYTES);
                streams.put(r.requestId(), new Received(r));
                c.send(r);
            }
            for (int i = 0; i < 3; i++) {
                ChunkReply first = (ChunkReply) c.receive();
                streams.get(first.requestId()).accept(first);
            }
            byte[] grants = new byte[0];
            for (int i = 0; i < 3; i++) {
                streams.get(40 + i).granted(Integer.MAX_VALUE - CHUNK_BYTES);
                grants = concat(grants, new WindowUpdate(40 + i, Integer.MAX_VALUE - CHUNK_BYTES));
            }
            c.sendRaw(grants);
            int switches = 0;
            int previous = -1;
            while (streams.values().stream().anyMatch(s -> !s.ended)) {
                ChunkReply chunk = (ChunkReply) c.receive();
                switches += chunk.requestId() != previous ? 1 : 0;
                previous = chunk.requestId();
                streams.get(chunk.requestId()).accept(chunk);
            }

            for (int i = 0; i < 3; i++) {
                assertThat(streams.get(40 + i).bytes()).isEqualTo(contents[i]);
            }
            assertThat(switches).as("turns between the streams' chunks").isGreaterThan(3 * 4);
        }
    }

    /** The next frame is the PONG of a PING sent now: nothing else was on its way. */
    private static void assertNextIsPong(RawConnection c, int id) throws IOException {
        c.send(new Ping(id, id));
        Reply m = c.receive();
        if (m instanceof ChunkReply chunk) {
            chunk.release();
        }
        assertThat(m).as("the frame after a PING").isEqualTo(new Pong(id, id));
    }

    /** Reads and drops the chunks of stream {@code id} until the ERROR that ends it. */
    private static ErrorReply skipChunksToError(RawConnection c, int id) throws IOException {
        while (true) {
            Reply m = c.receive();
            assertThat(m.requestId()).isEqualTo(id);
            if (m instanceof ErrorReply e) {
                return e;
            }
            ChunkReply chunk = (ChunkReply) m;
            assertThat(chunk.end()).as("END before the ERROR").isFalse();
            chunk.release();
        }
    }

    private static byte[] concat(StreamRequest r, CancelStream c) {
        return concat(concat(new byte[0], r), c);
    }

    private static byte[] concat(byte[] before, Message m) {
        ByteBuf buf = Unpooled.buffer();
        MessageWriter.write(m, buf);
        byte[] out = Arrays.copyOf(before, before.length + buf.readableBytes());
        buf.readBytes(out, before.length, buf.readableBytes());
        buf.release();
        return out;
    }
}
