package dev.courier.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.client.ClientConfig;
import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Hello;
import dev.courier.protocol.Message;
import dev.courier.protocol.MessageWriter;
import dev.courier.protocol.Ping;
import dev.courier.protocol.PointReply;
import dev.courier.protocol.PointRequest;
import dev.courier.protocol.Pong;
import dev.courier.server.CourierServer;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.RawConnection;
import dev.courier.server.testing.TestServers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Dead peers are found within the idle timeout on both sides; live idle peers are kept. */
class KeepaliveTest {
    private static CourierServer serverWithKeepalive() throws Exception {
        return CourierServer.start(TestServers.config(CsvTruth.dataDir()).withKeepalive(200, 1_500));
    }

    @Test
    void serverClosesAClientThatNeverAnswersItsPings() throws Exception {
        try (CourierServer server = serverWithKeepalive();
             RawConnection silent = RawConnection.handshaken(server.localAddress())) {
            long start = System.nanoTime();
            int pings = 0;
            Message m;
            while ((m = silent.receive()) instanceof Ping) {
                pings++;
            }
            assertThat(pings).isPositive();
            assertThat(m).isInstanceOfSatisfying(ErrorReply.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.IDLE_TIMEOUT));
            assertThat(silent.closedByServer()).isTrue();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(1_400L, 15_000L);
        }
    }

    @Test
    void aClientThatAnswersPingsStaysConnectedPastTheIdleTimeout() throws Exception {
        try (CourierServer server = serverWithKeepalive();
             RawConnection live = RawConnection.handshaken(server.localAddress())) {
            for (int i = 0; i < 12; i++) { // 12 ping intervals: more than the idle timeout
                Message m = live.receive();
                assertThat(m).isInstanceOf(Ping.class);
                live.send(new Pong(m.requestId(), ((Ping) m).token()));
            }
            live.send(new PointRequest(1, "5", 0.004, 2));
            Message m;
            while ((m = live.receive()) instanceof Ping p) {
                live.send(new Pong(p.requestId(), p.token()));
            }
            assertThat(m).isInstanceOfSatisfying(PointReply.class,
                    r -> assertThat(r.value()).isEqualTo(CsvTruth.load().value("5", 1, 2)));
        }
    }

    @Test
    void clientDetectsAServerThatWentSilent() throws Exception {
        // A peer that completes the handshake and then never says another word, like a host that lost power.
        try (ServerSocket blackHole = new ServerSocket(0)) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = blackHole.accept()) {
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    in.readFully(new byte[in.readInt()]);
                    ByteBuf hello = Unpooled.buffer();
                    MessageWriter.write(new Hello(0, FrameDescriptor.VERSION, 1 << 20, 1 << 20), hello);
                    OutputStream out = s.getOutputStream();
                    out.write(hello.array(), hello.arrayOffset(), hello.readableBytes());
                    out.flush();
                    while (in.read() >= 0) {
                        // swallow everything, answer nothing
                    }
                } catch (IOException ignored) {
                    // The client hung up.
                }
            });
            ClientConfig config = ClientConfig.of("127.0.0.1", blackHole.getLocalPort()).withKeepalive(200, 1_500);
            try (CourierClient client = new CourierClient(config); Connection c = client.open()) {
                long start = System.nanoTime();
                assertThatThrownBy(() -> c.point("1", 0, 1).join()).cause()
                        .isInstanceOfSatisfying(CourierException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCode.IDLE_TIMEOUT));
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(1_400L, 15_000L);
                assertThat(c.isOpen()).isFalse();
            }
        }
    }
}
