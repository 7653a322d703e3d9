package dev.courier.server.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Hello;
import dev.courier.protocol.Ping;
import dev.courier.protocol.PointReply;
import dev.courier.protocol.PointRequest;
import dev.courier.protocol.Pong;
import dev.courier.protocol.ReadRequest;
import dev.courier.protocol.Reply;
import dev.courier.protocol.Secret;
import dev.courier.server.CourierServer;
import dev.courier.server.ServerConfig;
import dev.courier.server.auth.Scope;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.RawConnection;
import dev.courier.server.testing.TestServers;
import dev.courier.server.testing.TokenFiles;
import dev.courier.server.testing.WellBehavedClient;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Limits per client on a real server: the request rate per token and per address, connections per address, and
 * requests in flight per connection; after each, a good client is still served.
 */
class ClientLimitsTest {
    @TempDir
    Path dir;

    private static ServerConfig config() {
        return TestServers.config(CsvTruth.dataDir());
    }

    /** Sends {@code n} POINTs back to back, then reads the {@code n} replies. */
    private static List<Reply> pipelinePoints(RawConnection c, int n) throws Exception {
        for (int i = 1; i <= n; i++) {
            c.send(new PointRequest(i, "3", 0.008, 1));
        }
        List<Reply> replies = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            replies.add(c.receive());
        }
        return replies;
    }

    @Test
    void overItsTokensRateARequestIsRateLimitedWithTheTimeUntilTheBucketHasRoom() throws Exception {
        TokenFiles tokens = new TokenFiles(dir.resolve("tokens"));
        Secret busy = tokens.add("busy", Scope.POINTS);
        Secret other = tokens.add("other", Scope.POINTS);
        int rate = 2;
        int burst = 3;
        try (CourierServer server = CourierServer.start(config().withAuth(tokens.write())
                .withLimits(new ClientLimits(0, rate, burst, 0)));
             RawConnection c = RawConnection.handshaken(server.localAddress(), busy)) {
            List<Reply> replies = pipelinePoints(c, burst + 1);

            assertThat(replies.subList(0, burst)).allMatch(r -> r instanceof PointReply);
            ErrorReply limited = (ErrorReply) replies.get(burst);
            assertThat(limited.code()).isEqualTo(ErrorCode.RATE_LIMITED);
            assertThat(limited.requestId()).isEqualTo(burst + 1);
            // One token comes back every 1000 / rate ms; less has passed since the bucket was full.
            assertThat(limited.retryAfterMillis()).isBetween(1L, 1000L / rate);
            assertThat(limited.message()).contains("token 'busy'");

            // The same token on a second connection shares the bucket; another token has its own.
            try (RawConnection second = RawConnection.handshaken(server.localAddress(), busy)) {
                second.send(new PointRequest(9, "3", 0.008, 1));
                Reply r = second.receive();
                assertThat(r).isInstanceOf(ErrorReply.class);
                assertThat(((ErrorReply) r).code()).isEqualTo(ErrorCode.RATE_LIMITED);
            }
            WellBehavedClient.assertServedWithinASecond(server.localAddress(), other);
        }
    }

    @Test
    void withoutTokensTheRateIsPerAddress() throws Exception {
        try (CourierServer server = CourierServer.start(config().withLimits(new ClientLimits(0, 1, 2, 0)));
             RawConnection c = RawConnection.handshaken(server.localAddress())) {
            List<Reply> replies = pipelinePoints(c, 3);

            assertThat(replies.get(2)).isInstanceOfSatisfying(ErrorReply.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
                assertThat(e.message()).contains("this address");
            });
            // The connection stays usable: a PING is not counted.
            c.send(new Ping(10, 1));
            assertThat(c.receive()).isInstanceOf(Pong.class);
            // Another address (loopback has many) has a bucket of its own.
            try (RawConnection other = RawConnection.handshakenFrom(server.localAddress(),
                    InetAddress.getByName("127.0.0.2"))) {
                WellBehavedClient.assertServed(other, 11);
            }
        }
    }

    @Test
    void oneConnectionOverTheAddressLimitIsToldTooManyConnectionsNamingIt() throws Exception {
        try (CourierServer server = CourierServer.start(config().withLimits(new ClientLimits(2, 0, 0, 0)))) {
            RawConnection first = RawConnection.handshaken(server.localAddress());
            RawConnection second = RawConnection.handshaken(server.localAddress());
            try (RawConnection third = new RawConnection(server.localAddress())) {
                third.send(new Hello(0, FrameDescriptor.VERSION, 16 << 20, 8 << 20));
                assertThat(third.receive()).isInstanceOfSatisfying(ErrorReply.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_CONNECTIONS);
                    assertThat(e.message()).contains("--max-connections-per-ip").contains("2 connections");
                });
                assertThat(third.closedByServer()).isTrue();
            }
            WellBehavedClient.assertServed(first, 3);
            first.close();
            second.close();
            // Once the server has seen them close (its count of the address goes down first, on the same close
            // event), the address has its places again.
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (server.connectionCount() > 0 && System.nanoTime() < deadline) {
                LockSupport.parkNanos(1_000_000);
            }
            assertThat(server.connectionCount()).isZero();
            WellBehavedClient.assertServedWithinASecond(server.localAddress());
        }
    }

    @Test
    void aClientThatPipelinesWithoutReadingNeverHasMoreThanTheCapInFlight() throws Exception {
        Path files = Files.createDirectories(dir.resolve("files"));
        byte[] content = new byte[64 * 1024];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31);
        }
        Files.write(files.resolve("f.bin"), content);
        int cap = 2;
        int requests = 200;
        try (CourierServer server = CourierServer.start(TestServers.config(files)
                .withLimits(new ClientLimits(0, 0, 0, cap)));
             RawConnection c = RawConnection.handshaken(server.localAddress(), 16 * 1024)) {
            // 200 READs of 64 KiB: 12.5 MiB of replies, far more than the socket buffers take, sent before one is read.
            for (int i = 1; i <= requests; i++) {
                c.send(new ReadRequest(i, "f.bin", 0, content.length));
            }
            int chunks = 0;
            for (int i = 0; i < requests; i++) {
                Reply r = c.receive();
                assertThat(r).isInstanceOf(ChunkReply.class);
                r.release();
                chunks++;
            }
            assertThat(chunks).isEqualTo(requests);
            assertThat(server.peakRequestsInFlightPerConnection()).as("requests in flight at once").isBetween(1, cap);
            WellBehavedClient.assertServedWithinASecond(server.localAddress());
        }
    }
}
