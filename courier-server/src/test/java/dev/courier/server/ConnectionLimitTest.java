package dev.courier.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Hello;
import dev.courier.protocol.Message;
import dev.courier.protocol.PointReply;
import dev.courier.protocol.PointRequest;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.RawConnection;
import dev.courier.server.testing.TestServers;
import dev.courier.transport.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** --max-connections refuses with an error frame and a clean close; --reuse-port lets two servers share a port. */
class ConnectionLimitTest {
    private static CourierServer serverAllowing(int maxConnections) throws Exception {
        return CourierServer.start(TestServers.config(CsvTruth.dataDir()).toBuilder()
                .maxConnections(maxConnections).build());
    }

    private static Message helloAnswer(RawConnection c) throws IOException {
        c.send(new Hello(0, FrameDescriptor.VERSION, 16 << 20, 8 << 20));
        return c.receive();
    }

    @Test
    void aConnectionOverTheLimitIsToldTooManyConnectionsAndClosed() throws Exception {
        List<RawConnection> held = new ArrayList<>();
        try (CourierServer server = serverAllowing(3)) {
            for (int i = 0; i < 3; i++) {
                held.add(RawConnection.handshaken(server.localAddress()));
            }
            try (RawConnection fourth = new RawConnection(server.localAddress())) {
                Message m = helloAnswer(fourth);
                assertThat(m).isInstanceOfSatisfying(ErrorReply.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_CONNECTIONS);
                    assertThat(e.requestId()).isZero();
                });
                assertThat(fourth.closedByServer()).isTrue();
            }
            // The three admitted connections are served as before.
            RawConnection first = held.get(0);
            first.send(new PointRequest(7, "1", 0.0, 1));
            assertThat(first.receive()).isInstanceOf(PointReply.class);
            assertThat(server.connectionCount()).isEqualTo(3);
        } finally {
            for (RawConnection c : held) {
                c.close();
            }
        }
    }

    @Test
    void aClosedConnectionMakesRoomForTheNextOne() throws Exception {
        try (CourierServer server = serverAllowing(1);
             RawConnection only = RawConnection.handshaken(server.localAddress())) {
            try (RawConnection refused = new RawConnection(server.localAddress())) {
                assertThat(helloAnswer(refused)).isInstanceOf(ErrorReply.class);
            }
            only.shutdownOutput();
            assertThat(only.closedByServer()).isTrue();
            // The server counts the close when its close listener has run, just after the FIN: retry briefly.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            Message answer;
            do {
                try (RawConnection next = new RawConnection(server.localAddress())) {
                    answer = helloAnswer(next);
                }
            } while (answer instanceof ErrorReply && System.nanoTime() < deadline);
            assertThat(answer).isInstanceOf(Hello.class);
        }
    }

    @Test
    void twoServersWithReusePortShareOnePortAndBothAnswer() throws Exception {
        ServerConfig config = TestServers.config(CsvTruth.dataDir()).toBuilder().reusePort(true).build();
        if (Transport.best() != Transport.EPOLL) {
            assertThatThrownBy(() -> CourierServer.start(config)).isInstanceOf(IOException.class)
                    .hasMessageContaining("--reuse-port needs the native epoll transport");
            return;
        }
        try (CourierServer first = CourierServer.start(config);
             CourierServer second = CourierServer.start(config.withBindAddress(first.localAddress()))) {
            assertThat(second.localAddress()).isEqualTo(first.localAddress());
            // The kernel spreads connections by a hash of their addresses: within a few dozen both have some.
            List<RawConnection> open = new ArrayList<>();
            try {
                for (int i = 0; i < 64 && (first.connectionCount() == 0 || second.connectionCount() == 0); i++) {
                    RawConnection c = RawConnection.handshaken(first.localAddress());
                    open.add(c);
                    c.send(new PointRequest(1, "1", 0.004, 1));
                    assertThat(c.receive()).isInstanceOf(PointReply.class);
                }
                assertThat(first.connectionCount()).isPositive();
                assertThat(second.connectionCount()).isPositive();
            } finally {
                for (RawConnection c : open) {
                    c.close();
                }
            }
        }
    }

    @Test
    void withoutReusePortASecondServerCannotBindTheSamePort() throws Exception {
        try (CourierServer first = TestServers.start()) {
            InetSocketAddress taken = first.localAddress();
            assertThatThrownBy(() -> CourierServer.start(TestServers.config(CsvTruth.dataDir())
                    .withBindAddress(taken))).isInstanceOf(IOException.class);
        }
    }
}
