package dev.courier.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The operations port's whole pipeline ({@link OpsInitializer}) under an {@link EmbeddedChannel}, fed hand-written
 * HTTP/1.1 requests, whole, split and glued together: routes, methods, readiness phases and every bound.
 */
class OpsHandlerTest {
    private static final String GET_READY = "GET /ready HTTP/1.1\r\nHost: x\r\n\r\n";

    private final Readiness readiness = new Readiness();

    private EmbeddedChannel channel(OpsLimits limits) {
        return new EmbeddedChannel(new OpsInitializer(readiness, limits));
    }

    private static void send(EmbeddedChannel ch, String text) {
        ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
    }

    /** Everything the channel has written so far, as text; every buffer released. */
    private static String written(EmbeddedChannel ch) {
        StringBuilder out = new StringBuilder();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            out.append(b.toString(StandardCharsets.US_ASCII));
            b.release();
        }
        return out.toString();
    }

    @Test
    void readyFollowsTheServerPhasesWhileHealthIsAlwaysOk() {
        EmbeddedChannel ch = channel(OpsLimits.DEFAULT);
        send(ch, GET_READY);
        assertThat(written(ch)).startsWith("HTTP/1.1 503 Service Unavailable\r\n").endsWith("\r\n\r\nstarting");
        readiness.ready();
        send(ch, GET_READY);
        assertThat(written(ch)).startsWith("HTTP/1.1 200 OK\r\n").contains("content-length: 5\r\n")
                .endsWith("\r\n\r\nready");
        readiness.draining();
        send(ch, GET_READY);
        assertThat(written(ch)).startsWith("HTTP/1.1 503 Service Unavailable\r\n").endsWith("\r\n\r\ndraining");
        readiness.ready(); // a start that finishes after the shutdown began does not make it ready again
        send(ch, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(written(ch)).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nok");
        send(ch, GET_READY);
        assertThat(written(ch)).endsWith("draining");
        assertThat(ch.isOpen()).isTrue();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void shouldHandleARequestSplitIntoBytesAndTwoRequestsInOneBatch() {
        readiness.ready();
        EmbeddedChannel ch = channel(OpsLimits.DEFAULT);
        for (char c : GET_READY.toCharArray()) {
            send(ch, String.valueOf(c));
        }
        assertThat(written(ch)).startsWith("HTTP/1.1 200 OK\r\n").endsWith("ready");
        send(ch, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n" + GET_READY);
        String both = written(ch);
        assertThat(both.indexOf("\r\n\r\nok")).isPositive().isLessThan(both.indexOf("\r\n\r\nready"));
        assertThat(ch.isOpen()).isTrue();
        ch.finishAndReleaseAll();
    }

    @Test
    void unknownPathsAre404AndOtherMethods405WithTheMethodsAllowed() {
        EmbeddedChannel ch = channel(OpsLimits.DEFAULT);
        send(ch, "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(written(ch)).startsWith("HTTP/1.1 404 Not Found\r\n");
        send(ch, "DELETE /ready HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(written(ch)).startsWith("HTTP/1.1 405 Method Not Allowed\r\n").contains("allow: GET, HEAD\r\n");
        send(ch, "GET /health?verbose=1 HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(written(ch)).startsWith("HTTP/1.1 200 OK\r\n").endsWith("ok");
        assertThat(ch.isOpen()).isTrue();
        ch.finishAndReleaseAll();
    }

    @Test
    void headGetsTheLengthOfTheBodyButNotTheBody() {
        EmbeddedChannel ch = channel(OpsLimits.DEFAULT);
        send(ch, "HEAD /health HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(written(ch)).startsWith("HTTP/1.1 200 OK\r\n").contains("content-length: 2\r\n").endsWith("\r\n\r\n");
        ch.finishAndReleaseAll();
    }

    @Test
    void http10WithoutKeepAliveIsClosedAfterItsAnswer() {
        EmbeddedChannel ch = channel(OpsLimits.DEFAULT);
        send(ch, "GET /health HTTP/1.0\r\n\r\n");
        assertThat(written(ch)).contains("connection: close\r\n").endsWith("ok");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aRequestLineOverTheBoundGets414AndItsConnectionCloses() {
        EmbeddedChannel ch = channel(OpsLimits.DEFAULT);
        send(ch, "GET /" + "a".repeat(OpsLimits.DEFAULT.maxRequestLineBytes()) + " HTTP/1.1\r\n\r\n");
        assertThat(written(ch)).startsWith("HTTP/1.1 414 Request-URI Too Long\r\n");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void headersOverTheBoundGet431AndTheConnectionCloses() {
        EmbeddedChannel ch = channel(OpsLimits.DEFAULT);
        send(ch, "GET /ready HTTP/1.1\r\nX-Big: " + "b".repeat(OpsLimits.DEFAULT.maxHeaderBytes()) + "\r\n\r\n");
        assertThat(written(ch)).startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void garbageGets400AndTheConnectionCloses() {
        EmbeddedChannel ch = channel(OpsLimits.DEFAULT);
        send(ch, "\u0001\u0002 not http at all\r\n\r\n");
        assertThat(written(ch)).startsWith("HTTP/1.1 400 Bad Request\r\n");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aRequestWithABodyIsRefusedWith413() {
        EmbeddedChannel ch = channel(OpsLimits.DEFAULT);
        send(ch, "POST /ready HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
        assertThat(written(ch)).startsWith("HTTP/1.1 413 Request Entity Too Large\r\n");
        ch.finishAndReleaseAll();
    }

    @Test
    void aConnectionIdleForTheTimeoutIsClosed() {
        OpsLimits limits = new OpsLimits(1024, 8192, 4, 10_000);
        EmbeddedChannel ch = channel(limits);
        ch.freezeTime();
        send(ch, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        written(ch);
        ch.advanceTimeBy(limits.idleTimeoutMillis() - 1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aConnectionBeyondTheCapIsClosedOnAcceptAndOneClosingMakesRoom() {
        OpsLimits limits = new OpsLimits(1024, 8192, 2, 10_000);
        OpsInitializer shared = new OpsInitializer(readiness, limits);
        EmbeddedChannel first = new EmbeddedChannel(shared);
        EmbeddedChannel second = new EmbeddedChannel(shared);
        EmbeddedChannel third = new EmbeddedChannel(shared);
        assertThat(first.isOpen()).isTrue();
        assertThat(second.isOpen()).isTrue();
        assertThat(third.isOpen()).isFalse();
        first.close();
        EmbeddedChannel fourth = new EmbeddedChannel(shared);
        assertThat(fourth.isOpen()).isTrue();
        send(fourth, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(written(fourth)).endsWith("ok");
        second.finishAndReleaseAll();
        fourth.finishAndReleaseAll();
    }
}
