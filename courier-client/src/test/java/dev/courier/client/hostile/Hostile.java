package dev.courier.client.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.courier.client.ClientConfig;
import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.client.testing.Peer;
import dev.courier.client.testing.ScriptedServer;
import dev.courier.protocol.Message;
import dev.courier.protocol.PointReply;
import dev.courier.protocol.PointRequest;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** What the tests against a hostile scripted server share. */
final class Hostile {
    /** The value {@link #wellBehaved} answers every POINT with. */
    static final double VALUE = 0.125;

    private Hostile() {
    }

    /**
     * A client of {@code server} with one event loop, so that a connection the server misbehaves on and one it
     * serves well share a thread: the second being served shows that the first does not block it.
     */
    static CourierClient clientOf(ScriptedServer server, int requestTimeoutMillis) {
        return new CourierClient(server.clientConfig().withIoThreads(1).withRequestTimeoutMillis(requestTimeoutMillis)
                .withConnectTimeoutMillis(5_000));
    }

    static CourierClient clientOf(ClientConfig config) {
        return new CourierClient(config.withIoThreads(1));
    }

    /** A correct server: answers the handshake and every POINT. */
    static void wellBehaved(Peer peer) throws IOException {
        peer.handshake();
        peer.serve(Hostile::point);
    }

    /** The answer to a POINT ({@link #VALUE}); null for anything else. */
    static Message point(Message m) {
        return m instanceof PointRequest p ? new PointReply(p.requestId(), VALUE, 0, 0.0) : null;
    }

    /** {@code first}'s answer, or when it has none {@code second}'s, or when it has none either {@link #point}'s. */
    static Function<Message, Message> answers(Function<Message, Message> first, Function<Message, Message> second) {
        return m -> {
            Message a = first.apply(m);
            if (a == null) {
                a = second.apply(m);
            }
            return a != null ? a : point(m);
        };
    }

    /** A new connection of {@code client} gets a point answered within a second (the server must be well behaved). */
    static void assertServedWithinASecond(CourierClient client) {
        long start = System.nanoTime();
        try (Connection c = client.connect().orTimeout(1, TimeUnit.SECONDS).join()) {
            assertThat(c.point("1", 0, 1).orTimeout(1, TimeUnit.SECONDS).join().value()).isEqualTo(VALUE);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    }

    /** The CourierException {@code call} throws, directly or as the cause of a failed future. */
    static CourierException failure(ThrowingCallable call) {
        Throwable t = catchThrowable(call);
        assertThat(t).as("expected a failure").isNotNull();
        RuntimeException r = CourierException.unwrap(t);
        assertThat(r).isInstanceOf(CourierException.class);
        return (CourierException) r;
    }
}
