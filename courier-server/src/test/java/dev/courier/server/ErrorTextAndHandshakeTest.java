package dev.courier.server;

import static dev.courier.server.testing.WellBehavedClient.assertServedWithinASecond;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.DigestRequest;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.ListRequest;
import dev.courier.protocol.Message;
import dev.courier.protocol.MessageType;
import dev.courier.protocol.PointReply;
import dev.courier.protocol.PointRequest;
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
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Error texts that quote what the client sent always fit their frame, and a fault before the handshake always ends
 * the connection; against a real server on loopback, with a well-behaved client served afterwards.
 */
@Timeout(60)
class ErrorTextAndHandshakeTest {
    @TempDir
    static Path root;
    static CourierServer server;
    static InetSocketAddress address;
    static CsvTruth truth;

    @BeforeAll
    static void start() throws Exception {
        Files.writeString(root.resolve("small.txt"), "0123456789");
        server = TestServers.start(root);
        address = server.localAddress();
        truth = CsvTruth.load();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aName65000BytesLongGetsATypedErrorAndTheConnectionGoesOn() throws IOException {
        String ascii = "n".repeat(65_000);
        String twoByteChars = "é".repeat(32_500); // 65,000 bytes of UTF-8, cut only between characters
        String nested = "d/".repeat(32_500);
        try (RawConnection c = RawConnection.handshaken(address)) {
            int id = 1;
            for (String name : List.of(ascii, twoByteChars, nested)) {
                assertThat(name.getBytes(StandardCharsets.UTF_8)).hasSizeBetween(64_000, 65_535);
                for (Message request : List.of(new StatRequest(id, name), new ReadRequest(id + 1, name, 0, 10),
                        new ListRequest(id + 2, name), new DigestRequest(id + 3, name, false))) {
                    c.send(request);
                    Message m = c.receive();
                    assertThat(m).as("the answer to %s", request.getClass().getSimpleName())
                            .isInstanceOfSatisfying(ErrorReply.class, e -> {
                                assertThat(e.requestId()).isEqualTo(request.requestId());
                                assertThat(e.code().fatal()).as("%s is fatal", e.code()).isFalse();
                                assertThat(e.message().getBytes(StandardCharsets.UTF_8).length)
                                        .isLessThanOrEqualTo(ErrorReply.MAX_MESSAGE_BYTES);
                            });
                }
                id += 4;
            }
            c.send(new PointRequest(99, "4", 0.008, 2));
            assertThat(c.receive()).isInstanceOfSatisfying(PointReply.class,
                    r -> assertThat(r.value()).isEqualTo(truth.value("4", 2, 2)));
        }
        assertServedWithinASecond(address);
    }

    @Test
    void aMalformedFrameBeforeHelloEndsTheConnection() throws IOException {
        try (RawConnection c = new RawConnection(address)) {
            // A POINT whose payload is three bytes: the framing is intact, but no HELLO came first.
            c.sendRaw(frame(MessageType.POINT.code(), 11, new byte[] {0, 1, 2}));
            Message m = c.receive();

            assertThat(m).isInstanceOfSatisfying(ErrorReply.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.HANDSHAKE_REQUIRED);
                assertThat(e.requestId()).isEqualTo(11);
            });
            assertThat(c.closedByServer()).isTrue();
        }
        assertServedWithinASecond(address);
    }

    @Test
    void aHelloWithLimitsOutOfRangeEndsTheConnection() throws IOException {
        try (RawConnection c = new RawConnection(address)) {
            // maxChunkBytes 0 is outside its range (1 to 2^31-1): the payload does not fit its type.
            ByteBuffer hello = ByteBuffer.allocate(14).putInt(0x434F5552).putShort((short) 1).putInt(1 << 20)
                    .putInt(0);
            c.sendRaw(frame(MessageType.HELLO.code(), 0, hello.array()));
            Message m = c.receive();

            assertThat(m).isInstanceOfSatisfying(ErrorReply.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.HANDSHAKE_REQUIRED));
            assertThat(c.closedByServer()).isTrue();
        }
        assertServedWithinASecond(address);
    }

    private static byte[] frame(int type, int requestId, byte[] payload) {
        return ByteBuffer.allocate(10 + payload.length).putInt(6 + payload.length).put((byte) type).put((byte) 0)
                .putInt(requestId).put(payload).array();
    }
}
