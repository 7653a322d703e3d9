package dev.courier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Hello;
import dev.courier.protocol.ListRequest;
import dev.courier.protocol.Message;
import dev.courier.protocol.MessageType;
import dev.courier.protocol.Ping;
import dev.courier.protocol.PointBatchRequest;
import dev.courier.protocol.PointReply;
import dev.courier.protocol.PointRequest;
import dev.courier.protocol.Pong;
import dev.courier.protocol.ReadRequest;
import dev.courier.protocol.StatRequest;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.RawConnection;
import dev.courier.server.testing.TestServers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of bad input a client can send, each against a real server on loopback: the client gets a typed
 * error (and, where the framing is broken, a closed connection), and a fresh client is served correctly after it.
 */
class BadInputTest {
    @TempDir
    static Path root;
    static Path outside;
    static CourierServer server;
    static InetSocketAddress address;
    static CsvTruth truth;

    @BeforeAll
    static void start(@TempDir Path elsewhere) throws Exception {
        outside = elsewhere;
        Files.writeString(root.resolve("small.txt"), "0123456789");
        Files.createDirectory(root.resolve("sub"));
        Files.writeString(root.resolve("sub/inner.txt"), "inner");
        Files.writeString(outside.resolve("secret.txt"), "secret");
        Files.createSymbolicLink(root.resolve("escape.txt"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("escape-dir"), outside);
        Files.createSymbolicLink(root.resolve("inside-link.txt"), root.resolve("small.txt"));
        server = TestServers.start(root);
        address = server.localAddress();
        truth = CsvTruth.load();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A new client gets a correct point: the server survived whatever the test did. */
    private static void assertOthersStillServed() throws IOException {
        try (RawConnection c = RawConnection.handshaken(address)) {
            c.send(new PointRequest(7, "3", 0.008, 1));
            Message m = c.receive();
            assertThat(m).isInstanceOf(PointReply.class);
            PointReply r = (PointReply) m;
            assertThat(r.requestId()).isEqualTo(7);
            assertThat(r.value()).isEqualTo(truth.value("3", 2, 1));
        }
    }

    private static ErrorReply expectError(RawConnection c, ErrorCode code, int requestId) throws IOException {
        Message m = c.receive();
        assertThat(m).isInstanceOf(ErrorReply.class);
        ErrorReply e = (ErrorReply) m;
        assertThat(e.code()).isEqualTo(code);
        assertThat(e.requestId()).isEqualTo(requestId);
        assertThat(e.message()).isNotBlank();
        return e;
    }

    private static void expectFatal(RawConnection c, ErrorCode code) throws IOException {
        expectError(c, code, 0);
        assertThat(c.closedByServer()).as("connection closed after %s", code).isTrue();
    }

    private static byte[] frame(int length, int type, int flags, int requestId, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(10 + payload.length);
        b.putInt(length).put((byte) type).put((byte) flags).putInt(requestId).put(payload);
        return b.array();
    }

    @Test
    void frameOverTheSizeLimitIsRefusedBeforeItsPayloadArrives() throws IOException {
        try (RawConnection c = RawConnection.handshaken(address)) {
            // Only the length is sent: the server must answer without waiting for (or allocating) 2 GB.
            c.sendRaw(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff});
            expectFatal(c, ErrorCode.FRAME_TOO_LARGE);
        }
        assertOthersStillServed();
    }

    @Test
    void lengthShorterThanTheHeaderIsMalformed() throws IOException {
        try (RawConnection c = RawConnection.handshaken(address)) {
            c.sendRaw(new byte[] {0, 0, 0, 2, 1, 2});
            expectFatal(c, ErrorCode.MALFORMED_FRAME);
        }
        assertOthersStillServed();
    }

    @Test
    void unknownTypeClosesTheConnection() throws IOException {
        try (RawConnection c = RawConnection.handshaken(address)) {
            c.sendRaw(frame(6, 0x7e, 0, 5, new byte[0]));
            expectError(c, ErrorCode.UNKNOWN_TYPE, 5);
            assertThat(c.closedByServer()).isTrue();
        }
        assertOthersStillServed();
    }

    @Test
    void garbageBytesGetAnErrorAndAClose() throws IOException {
        byte[] garbage = new byte[512];
        new Random(42).nextBytes(garbage);
        garbage[0] = 0x55; // a length far above the limit, whatever the rest says
        try (RawConnection c = new RawConnection(address)) {
            c.sendRaw(garbage);
            Message m = c.receive();
            assertThat(m).isInstanceOf(ErrorReply.class);
            assertThat(((ErrorReply) m).code().fatal()).isTrue();
            assertThat(c.closedByServer()).isTrue();
        }
        assertOthersStillServed();
    }

    @Test
    void truncatedFrameAtEndOfStreamIsReported() throws IOException {
        try (RawConnection c = RawConnection.handshaken(address)) {
            byte[] whole = frame(6 + 8, MessageType.PING.code(), 0, 9, new byte[8]);
            c.sendRaw(Arrays.copyOf(whole, whole.length - 3));
            c.shutdownOutput();
            expectFatal(c, ErrorCode.MALFORMED_FRAME);
        }
        assertOthersStillServed();
    }

    @Test
    void firstFrameMustBeHello() throws IOException {
        try (RawConnection c = new RawConnection(address)) {
            c.send(new PointRequest(3, "1", 0, 1));
            expectError(c, ErrorCode.HANDSHAKE_REQUIRED, 3);
            assertThat(c.closedByServer()).isTrue();
        }
        assertOthersStillServed();
    }

    @Test
    void wrongMagicIsRefused() throws IOException {
        try (RawConnection c = new RawConnection(address)) {
            ByteBuffer p = ByteBuffer.allocate(14).putInt(0x48545450).putShort((short) 1).putInt(1 << 20)
                    .putInt(1 << 20);
            c.sendRaw(frame(6 + 14, MessageType.HELLO.code(), 0, 0, p.array()));
            expectFatal(c, ErrorCode.BAD_MAGIC);
        }
        assertOthersStillServed();
    }

    @Test
    void unsupportedVersionIsRefused() throws IOException {
        try (RawConnection c = new RawConnection(address)) {
            c.send(new Hello(0, 99, 1 << 20, 1 << 20));
            expectFatal(c, ErrorCode.UNSUPPORTED_VERSION);
        }
        assertOthersStillServed();
    }

    @Test
    void malformedPayloadFailsOnlyThatRequest() throws IOException {
        try (RawConnection c = RawConnection.handshaken(address)) {
            c.sendRaw(frame(6 + 3, MessageType.POINT.code(), 0, 11, new byte[] {0, 1, 2}));
            expectError(c, ErrorCode.MALFORMED_REQUEST, 11);
            // A batch whose count promises far more times than the frame holds.
            ByteBuffer p = ByteBuffer.allocate(2 + 2 + 4).putShort((short) 1).put((byte) 1).put((byte) '1')
                    .putInt(Integer.MAX_VALUE);
            c.sendRaw(frame(6 + 8, MessageType.POINT_BATCH.code(), 0, 12, p.array()));
            expectError(c, ErrorCode.MALFORMED_REQUEST, 12);
            c.send(new PointRequest(13, "1", 0.004, 2));
            PointReply r = (PointReply) c.receive();
            assertThat(r.value()).isEqualTo(truth.value("1", 1, 2));
        }
        assertOthersStillServed();
    }

    @Test
    void unknownRecordChannelAndTimeAreTypedErrors() throws IOException {
        try (RawConnection c = RawConnection.handshaken(address)) {
            c.send(new PointRequest(1, "16", 0, 1));
            assertThat(expectError(c, ErrorCode.UNKNOWN_RECORD, 1).message()).contains("16");
            c.send(new PointRequest(2, "1", 0, 3));
            expectError(c, ErrorCode.UNKNOWN_CHANNEL, 2);
            c.send(new PointRequest(3, "1", 0, 0));
            expectError(c, ErrorCode.UNKNOWN_CHANNEL, 3);
            c.send(new PointRequest(4, "1", 60.0, 1));
            expectError(c, ErrorCode.TIME_OUT_OF_RANGE, 4);
            c.send(new PointRequest(5, "1", -0.1, 1));
            expectError(c, ErrorCode.TIME_OUT_OF_RANGE, 5);
            c.send(new PointRequest(6, "1", Double.NaN, 1));
            expectError(c, ErrorCode.MALFORMED_REQUEST, 6);
            c.send(new PointRequest(7, "1", Double.POSITIVE_INFINITY, 1));
            expectError(c, ErrorCode.TIME_OUT_OF_RANGE, 7);
            c.send(new PointBatchRequest(8, "2", 1, new double[] {0, 1, 99}));
            expectError(c, ErrorCode.TIME_OUT_OF_RANGE, 8);
            // The connection is still fine: the last sample of the recording is in range.
            c.send(new PointRequest(9, "1", 59.996, 1));
            assertThat(((PointReply) c.receive()).sampleIndex()).isEqualTo(14999);
        }
        assertOthersStillServed();
    }

    @Test
    void fileErrorsAreTyped() throws IOException {
        try (RawConnection c = RawConnection.handshaken(address)) {
            c.send(new StatRequest(1, "missing.txt"));
            expectError(c, ErrorCode.NOT_FOUND, 1);
            c.send(new ReadRequest(2, "missing.txt", 0, 10));
            expectError(c, ErrorCode.NOT_FOUND, 2);
            c.send(new ReadRequest(3, "small.txt", 10, 10));
            expectError(c, ErrorCode.OFFSET_PAST_END, 3);
            c.send(new ReadRequest(4, "small.txt", 1000, 10));
            expectError(c, ErrorCode.OFFSET_PAST_END, 4);
            c.send(new ReadRequest(5, "small.txt", 0, 0));
            expectError(c, ErrorCode.MALFORMED_REQUEST, 5);
            c.send(new ReadRequest(6, "small.txt", 0, (8 << 20) + 1));
            expectError(c, ErrorCode.CHUNK_TOO_LARGE, 6);
            c.send(new ReadRequest(7, "sub", 0, 10));
            expectError(c, ErrorCode.NOT_A_FILE, 7);
            c.send(new ListRequest(8, "small.txt"));
            expectError(c, ErrorCode.NOT_A_DIRECTORY, 8);
            c.send(new ReadRequest(9, "small.txt", -5, 10));
            expectError(c, ErrorCode.MALFORMED_REQUEST, 9);
        }
        assertOthersStillServed();
    }

    @Test
    void namesOutsideTheRootAreRefused() throws IOException {
        String[] names = {"../secret.txt", "sub/../../secret.txt", "/etc/passwd", "escape.txt", "escape-dir/secret.txt",
            outside.resolve("secret.txt").toString()};
        try (RawConnection c = RawConnection.handshaken(address)) {
            int id = 1;
            for (String name : names) {
                c.send(new ReadRequest(id, name, 0, 10));
                expectError(c, ErrorCode.OUTSIDE_ROOT, id++);
                c.send(new StatRequest(id, name));
                expectError(c, ErrorCode.OUTSIDE_ROOT, id++);
            }
            c.send(new ListRequest(id, "escape-dir"));
            expectError(c, ErrorCode.OUTSIDE_ROOT, id++);
            c.send(new ListRequest(id, ".."));
            expectError(c, ErrorCode.OUTSIDE_ROOT, id++);
            c.send(new ReadRequest(id, "bad\0name", 0, 10));
            expectError(c, ErrorCode.MALFORMED_REQUEST, id);
        }
        assertOthersStillServed();
    }

    @Test
    void readPastTheEndReturnsWhatExistsFlaggedLast() throws IOException {
        try (RawConnection c = RawConnection.handshaken(address)) {
            c.send(new ReadRequest(1, "inside-link.txt", 4, 100));
            var chunk = (ChunkReply) c.receive();
            try {
                assertThat(chunk.offsetBytes()).isEqualTo(4);
                assertThat(chunk.last()).isTrue();
                assertThat(chunk.data().toString(StandardCharsets.US_ASCII)).isEqualTo("456789");
            } finally {
                chunk.release();
            }
            c.send(new ReadRequest(2, "sub/inner.txt", 0, 2));
            var first = (ChunkReply) c.receive();
            try {
                assertThat(first.last()).isFalse();
                assertThat(first.lengthBytes()).isEqualTo(2);
            } finally {
                first.release();
            }
        }
    }

    @Test
    void abruptDisconnectWithRequestsInFlightHarmsNoOne() throws IOException {
        for (int round = 0; round < 20; round++) {
            RawConnection c = RawConnection.handshaken(address);
            for (int i = 1; i <= 50; i++) {
                c.send(i % 2 == 0 ? new ReadRequest(i, "small.txt", 0, 10) : new PointRequest(i, "1", 1, 1));
            }
            c.abort();
        }
        assertOthersStillServed();
        try (RawConnection c = RawConnection.handshaken(address)) {
            c.send(new Ping(1, 0xC0FFEEL));
            assertThat(c.receive()).isEqualTo(new Pong(1, 0xC0FFEEL));
        }
    }

    @Test
    void helloTwiceFailsOnlyThatFrame() throws IOException {
        try (RawConnection c = RawConnection.handshaken(address)) {
            c.send(new Hello(4, FrameDescriptor.VERSION, 1 << 20, 1 << 20));
            expectError(c, ErrorCode.MALFORMED_REQUEST, 4);
            c.send(new PointRequest(5, "2", 0, 1));
            assertThat(c.receive()).isInstanceOf(PointReply.class);
        }
    }
}
