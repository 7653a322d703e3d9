package dev.courier.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Secret;
import dev.courier.server.CourierServer;
import dev.courier.server.auth.Scope;
import dev.courier.server.limits.ClientLimits;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.TestServers;
import dev.courier.server.testing.TokenFiles;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client library against a real server with --auth and a rate limit: the token goes in HELLO, each auth error
 * is a typed exception that says what to do and is never retried, and RATE_LIMITED is retried after the wait the
 * server gives, on the second attempt.
 */
class AuthAndRateLimitTest {
    /** One token every 500 ms, and no more than one at once. */
    private static final int RATE_PER_SECOND = 2;

    @TempDir
    Path dir;
    private CourierServer server;
    private Secret points;
    private Secret readOnly;
    private CsvTruth truth;

    @BeforeEach
    void start() throws Exception {
        TokenFiles tokens = new TokenFiles(dir.resolve("tokens"));
        points = tokens.add("points", Scope.POINTS);
        readOnly = tokens.add("reader", Scope.FILES_READ);
        server = CourierServer.start(TestServers.config(CsvTruth.dataDir()).withAuth(tokens.write())
                .withLimits(new ClientLimits(0, RATE_PER_SECOND, 1, 0)));
        truth = CsvTruth.load();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private CourierClient client(Secret token) {
        ClientConfig c = ClientConfig.of("127.0.0.1", server.localAddress().getPort());
        return new CourierClient(token == null ? c : c.withToken(token));
    }

    /** What {@code r} fails with, unwrapped from a failed future's CompletionException. */
    private static CourierException failure(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            RuntimeException unwrapped = CourierException.unwrap(e);
            assertThat(unwrapped).isInstanceOf(CourierException.class);
            return (CourierException) unwrapped;
        }
        throw new AssertionError("expected a failure");
    }

    @Test
    void theTokenTravelsInHelloAndItsConfigNeverShowsIt() {
        try (CourierClient client = client(points); Connection c = client.open()) {
            Point p = c.point("3", 0.008, 1).join();
            assertThat(p.value()).isEqualTo(truth.value("3", 2, 1));
        }
        assertThat(ClientConfig.of("h", 1).withToken(points).toString()).doesNotContain(points.value());
    }

    @Test
    void withoutATokenARequestFailsWithAuthRequiredSayingHowToGiveOne() {
        try (CourierClient client = client(null); Connection c = client.open()) {
            CourierException e = failure(() -> c.point("3", 0.008, 1).join());
            assertThat(e.code()).isEqualTo(ErrorCode.AUTH_REQUIRED);
            assertThat(e.getMessage()).contains("--token").contains("COURIER_TOKEN");
        }
    }

    @Test
    void anUnknownTokenFailsTheHandshakeWithAuthFailed() {
        try (CourierClient client = client(new Secret("ct_nobody"))) {
            CourierException e = failure(client::open);
            assertThat(e.code()).isEqualTo(ErrorCode.AUTH_FAILED);
            assertThat(e.getMessage()).contains("does not know this token").contains("--token-file");
        }
    }

    @Test
    void forbiddenIsTheAnswerAtOnceAndNotRetried() {
        AtomicInteger attempts = new AtomicInteger();
        try (CourierClient client = client(readOnly);
             ResilientConnection rc = new ResilientConnection(client, 10_000, new Backoff(1, 1))) {
            CourierException e = failure(() -> rc.call(c -> {
                attempts.incrementAndGet();
                return c.point("3", 0.008, 1);
            }).join());
            assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN);
            assertThat(e.getMessage()).contains("'points'").contains("scope");
        }
        assertThat(attempts).hasValue(1);
    }

    @Test
    void aRateLimitedRequestIsRetriedAfterTheServersWaitAndTheSecondTrySucceeds() {
        AtomicInteger attempts = new AtomicInteger();
        // Backoff of 1 ms: without the server's retry-after the client would try hundreds of times in the wait.
        try (CourierClient client = client(points);
             ResilientConnection rc = new ResilientConnection(client, 10_000, new Backoff(1, 1))) {
            long start = System.nanoTime();
            rc.point("3", 0.008, 1).join(); // takes the bucket's one token
            Point p = rc.call(c -> {
                attempts.incrementAndGet();
                return c.point("3", 0.008, 1);
            }).join();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(p.value()).isEqualTo(truth.value("3", 2, 1));
            assertThat(attempts).hasValue(2);
            // The server has no token for it before 1000 / rate ms after the first took the last one.
            assertThat(millis).isGreaterThanOrEqualTo(1000 / RATE_PER_SECOND);
        }
    }
}
