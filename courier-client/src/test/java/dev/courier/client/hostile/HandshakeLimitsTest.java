package dev.courier.client.hostile;

import static dev.courier.client.hostile.Hostile.assertServedWithinASecond;
import static dev.courier.client.hostile.Hostile.clientOf;
import static dev.courier.client.hostile.Hostile.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.client.ClientConfig;
import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.client.internal.ReplyRules;
import dev.courier.client.testing.Peer;
import dev.courier.client.testing.ScriptedServer;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Hello;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The server's HELLO announces limits the client then lives by; it gets no say in limits the client cannot work
 * with. Each lie is refused at once with BAD_REPLY (not after the connect timeout, not by running out of memory
 * later), and the next connection to a well-behaved server works.
 */
class HandshakeLimitsTest {
    /** Plays {@code lie} as the first connection's HELLO and serves the rest well. */
    private static ScriptedServer lyingOnce(byte[] lie) throws Exception {
        return ScriptedServer.start(peer -> {
            if (peer.index() > 0) {
                Hostile.wellBehaved(peer);
                return;
            }
            peer.expectHello();
            peer.sendRaw(lie);
            peer.awaitClientClose(10_000);
        });
    }

    @ParameterizedTest(name = "maxFrameBytes {0}, maxChunkBytes {1}: {2}")
    @CsvSource(delimiter = '|', value = {
            "1048640    | 1          | a chunk cap of one byte",
            "1048640    | 4095       | a chunk cap below a page",
            "1048640    | 16777221   | a chunk cap above what the client asked for",
            "1048640    | -1         | a chunk cap of 2^32-1, out of range",
            "1048640    | 0          | a chunk cap of 0, out of range",
            "-1         | 8388608    | a frame limit of 2^32-1, out of range",
            "0          | 8388608    | a frame limit of 0, out of range",
            "64         | 8388608    | a frame limit too small for a write of a page",
    })
    void limitsTheClientCannotWorkWithAreRefusedAtOnce(int maxFrameBytes, int maxChunkBytes, String what)
            throws Exception {
        try (ScriptedServer server = lyingOnce(Peer.helloFrame(0, FrameDescriptor.VERSION, maxFrameBytes,
                maxChunkBytes));
             CourierClient client = clientOf(server, 30_000)) {
            long start = System.nanoTime();
            CourierException e = failure(client::open);
            assertThat(e.code()).as(what).isEqualTo(ErrorCode.BAD_REPLY);
            assertThat(e.getMessage()).contains("HELLO");
            // Refused on arrival, not when the 5 s connect timeout runs out.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertServedWithinASecond(client);
        }
    }

    @Test
    void theRefusalNamesTheFloor() throws Exception {
        try (ScriptedServer server = lyingOnce(Peer.helloFrame(0, FrameDescriptor.VERSION, 1048640, 1));
             CourierClient client = clientOf(server, 30_000)) {
            assertThat(failure(client::open).getMessage())
                    .contains("chunks of 1 bytes").contains("at least " + ReplyRules.MIN_CHUNK_BYTES);
        }
    }

    @Test
    void helloWithAnotherRequestIdIsRefused() throws Exception {
        try (ScriptedServer server = lyingOnce(Peer.helloFrame(7, FrameDescriptor.VERSION, 1048640, 8 << 20));
             CourierClient client = clientOf(server, 30_000)) {
            assertThat(failure(client::open).code()).isEqualTo(ErrorCode.BAD_REPLY);
        }
    }

    @Test
    void anotherVersionIsUnsupported() throws Exception {
        try (ScriptedServer server = lyingOnce(Peer.helloFrame(0, 2, 1048640, 8 << 20));
             CourierClient client = clientOf(server, 30_000)) {
            assertThat(failure(client::open).code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
            assertServedWithinASecond(client);
        }
    }

    @Test
    void limitsAtTheFloorsAreAccepted() throws Exception {
        try (ScriptedServer server = ScriptedServer.start(peer -> {
            peer.handshake(ReplyRules.MIN_FRAME_BYTES, ReplyRules.MIN_CHUNK_BYTES);
            peer.awaitClientClose(10_000);
        });
             CourierClient client = clientOf(server, 30_000);
             Connection c = client.open()) {
            assertThat(c.limits().maxChunkBytes()).isEqualTo(ReplyRules.MIN_CHUNK_BYTES);
            assertThat(c.limits().maxFrameBytes()).isEqualTo(ReplyRules.MIN_FRAME_BYTES);
        }
    }

    @Test
    void aClientThatAsksForLessThanTheFloorsTakesWhatItAskedFor() throws Exception {
        int clientFrameBytes = 1_000;
        try (ScriptedServer server = ScriptedServer.start(peer -> {
            Hello asked = peer.expectHello();
            peer.sendRaw(Peer.helloFrame(0, FrameDescriptor.VERSION, Peer.SERVER_MAX_FRAME_BYTES,
                    asked.maxChunkBytes()));
            peer.awaitClientClose(10_000);
        });
             CourierClient client = new CourierClient(new ClientConfig("127.0.0.1", server.port(), 1, 5_000, 30_000,
                     clientFrameBytes, 0, 0, Optional.empty(), Optional.empty()));
             Connection c = client.open()) {
            assertThat(c.limits().maxChunkBytes()).isEqualTo(clientFrameBytes - 18)
                    .isLessThan(ReplyRules.MIN_CHUNK_BYTES);
        }
    }
}
