package dev.courier.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Hello;
import dev.courier.protocol.Ping;
import dev.courier.protocol.PointRequest;
import dev.courier.protocol.Pong;
import dev.courier.protocol.Reply;
import dev.courier.protocol.Secret;
import dev.courier.server.CourierServer;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.LogCapture;
import dev.courier.server.testing.RawConnection;
import dev.courier.server.testing.TestServers;
import dev.courier.server.testing.TokenFiles;
import dev.courier.server.testing.WellBehavedClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

/**
 * A real server with {@code --auth} on loopback: each auth error, the slowing of repeated failures, reloads of the
 * token file, and that no token reaches the log; after each bad case a client with a good token is still served.
 */
class AuthTest {
    @TempDir
    Path dir;
    private TokenFiles tokens;
    private Secret good;
    private CourierServer server;
    private LogCapture log;

    @BeforeEach
    void start() throws Exception {
        // Everything the server logs, whichever class: no line may hold a token.
        log = LogCapture.of(Logger.ROOT_LOGGER_NAME);
        tokens = new TokenFiles(dir.resolve("tokens"));
        good = tokens.add("good", Scope.POINTS);
        server = CourierServer.start(TestServers.config(CsvTruth.dataDir()).withAuth(tokens.write()));
    }

    @AfterEach
    void stop() {
        server.close();
        for (LogCapture.Line line : log.lines()) {
            assertThat(line.message()).as("a log line").doesNotContain(good.value());
        }
        log.close();
    }

    private static Hello hello(Secret token) {
        return new Hello(0, FrameDescriptor.VERSION, 16 << 20, 8 << 20).withToken(token);
    }

    private static ErrorReply error(Reply r) {
        assertThat(r).isInstanceOf(ErrorReply.class);
        return (ErrorReply) r;
    }

    @Test
    void withoutATokenEveryRequestButPingIsAuthRequiredAndTheConnectionStays() throws Exception {
        try (RawConnection c = RawConnection.handshaken(server.localAddress())) {
            c.send(new PointRequest(5, "3", 0.008, 1));
            ErrorReply e = error(c.receive());
            assertThat(e.code()).isEqualTo(ErrorCode.AUTH_REQUIRED);
            assertThat(e.requestId()).isEqualTo(5);
            assertThat(e.message()).contains("requires a token");

            c.send(new Ping(6, 42));
            assertThat(c.receive()).isEqualTo(new Pong(6, 42));
            c.send(new PointRequest(7, "3", 0.008, 1));
            assertThat(error(c.receive()).code()).isEqualTo(ErrorCode.AUTH_REQUIRED);
        }
        WellBehavedClient.assertServedWithinASecond(server.localAddress(), good);
    }

    @Test
    void anUnknownTokenIsAuthFailedAndTheConnectionClosed() throws Exception {
        Secret stranger = NewToken.create("stranger", Set.of(Scope.ADMIN)).token();
        try (RawConnection c = new RawConnection(server.localAddress())) {
            c.send(hello(stranger));
            ErrorReply e = error(c.receive());
            assertThat(e.code()).isEqualTo(ErrorCode.AUTH_FAILED);
            assertThat(e.requestId()).isZero();
            assertThat(c.closedByServer()).isTrue();
        }
        log.await(l -> l.message().contains("authentication failed from 127.0.0.1: unknown token"), 5_000);
        assertThat(log.lines()).noneMatch(l -> l.message().contains(stranger.value()));
        WellBehavedClient.assertServedWithinASecond(server.localAddress(), good);
    }

    @Test
    void repeatedFailuresFromOneAddressAreAnsweredLaterAndLater() throws Exception {
        Secret wrong = new Secret("ct_wrong");
        List<Long> replyMillis = new ArrayList<>();
        int failures = 5;
        for (int i = 0; i < failures; i++) {
            try (RawConnection c = new RawConnection(server.localAddress())) {
                long sent = System.nanoTime();
                c.send(hello(wrong));
                assertThat(error(c.receive()).code()).isEqualTo(ErrorCode.AUTH_FAILED);
                replyMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent));
            }
        }
        // The server cannot answer the n-th failure before its delay; the first has none.
        for (int n = 2; n <= failures; n++) {
            assertThat(replyMillis.get(n - 1)).as("reply to failure %d (all: %s)", n, replyMillis)
                    .isGreaterThanOrEqualTo(FailureThrottle.delayMillis(n));
        }
        assertThat(replyMillis.get(failures - 1)).as("all: %s", replyMillis).isGreaterThan(replyMillis.get(0));
        assertThat(FailureThrottle.delayMillis(failures)).isEqualTo(FailureThrottle.BASE_DELAY_MILLIS * 8);
        // A good token from the same address is not slowed.
        WellBehavedClient.assertServedWithinASecond(server.localAddress(), good);
    }

    @Test
    void aTokenAddedToTheFileIsAcceptedAfterTheReload() throws Exception {
        Secret added = tokens.add("added", Scope.POINTS);
        tokens.write();
        server.auth().orElseThrow().reload();

        WellBehavedClient.assertServedWithinASecond(server.localAddress(), added);
    }

    @Test
    void theWatcherReloadsAChangedFile() throws Exception {
        Secret added = tokens.add("watched", Scope.POINTS);
        tokens.write();

        log.await(l -> l.message().contains("auth: token file reloaded: 2 tokens"), 15_000);
        WellBehavedClient.assertServedWithinASecond(server.localAddress(), added);
    }

    @Test
    void aTokenRemovedFromTheFileFailsItsOpenConnectionsNextRequestAndClosesIt() throws Exception {
        Secret doomed = tokens.add("doomed", Scope.POINTS);
        tokens.write();
        server.auth().orElseThrow().reload();
        try (RawConnection c = RawConnection.handshaken(server.localAddress(), doomed)) {
            WellBehavedClient.assertServed(c, 3);
            tokens.remove("doomed");
            tokens.write();
            server.auth().orElseThrow().reload();

            c.send(new PointRequest(4, "3", 0.008, 1));
            ErrorReply e = error(c.receive());
            assertThat(e.code()).isEqualTo(ErrorCode.AUTH_FAILED);
            assertThat(e.requestId()).isZero();
            assertThat(c.closedByServer()).isTrue();
        }
        WellBehavedClient.assertServedWithinASecond(server.localAddress(), good);
    }

    @Test
    void aBadLineOnReloadIsLoggedAndTheTokensInUseKept() throws Exception {
        tokens.add("second", Scope.POINTS);
        tokens.writeWith("broken points");
        server.auth().orElseThrow().reload();

        LogCapture.Line line = log.await(l -> l.message().contains("the token file is not valid"), 5_000);
        assertThat(line.message()).contains(tokens.file() + ":5:");
        WellBehavedClient.assertServedWithinASecond(server.localAddress(), good);
    }

    @Test
    void aBadLineAtStartUpNamesTheFileAndLine() throws Exception {
        Path bad = dir.resolve("bad-tokens");
        Files.writeString(bad, "# ok\nalice points " + "ab".repeat(32) + "\nbob nosuchscope " + "cd".repeat(32) + "\n");

        assertThatThrownBy(() -> CourierServer.start(TestServers.config(CsvTruth.dataDir()).withAuth(bad)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(bad + ":3: unknown scope 'nosuchscope'");
        WellBehavedClient.assertServedWithinASecond(server.localAddress(), good);
    }
}
