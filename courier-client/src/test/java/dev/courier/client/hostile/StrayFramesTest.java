package dev.courier.client.hostile;

import static dev.courier.client.hostile.Hostile.assertServedWithinASecond;
import static dev.courier.client.hostile.Hostile.clientOf;
import static dev.courier.client.hostile.Hostile.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.client.Point;
import dev.courier.client.internal.ClientHandler;
import dev.courier.client.testing.ScriptedServer;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.Message;
import dev.courier.protocol.Ping;
import dev.courier.protocol.PointReply;
import dev.courier.protocol.PointRequest;
import dev.courier.protocol.Pong;
import dev.courier.protocol.StatReply;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Frames the client did not ask for: a late reply to a request that timed out is expected and dropped; replies to
 * ids never sent, replies of the wrong type, and floods of PINGs, PONGs or ERRORs end the connection with
 * BAD_REPLY, and what the client holds meanwhile stays bounded.
 */
class StrayFramesTest {
    /** Every connection after the first is served well, for the checks that the client still works. */
    private static ScriptedServer firstConnection(ScriptedServer.Script script) throws Exception {
        return ScriptedServer.start(peer -> {
            if (peer.index() == 0) {
                script.play(peer);
            } else {
                Hostile.wellBehaved(peer);
            }
        });
    }

    @Test
    void lateRepliesToRequestsThatTimedOutAreDroppedAndTheConnectionGoesOn() throws Exception {
        int late = ClientHandler.STRAY_REPLIES_ALLOWED * 2; // more than the budget for strays: these are not strays
        try (ScriptedServer server = firstConnection(peer -> {
            peer.handshake();
            List<PointRequest> unanswered = new ArrayList<>();
            for (int i = 0; i < late; i++) {
                unanswered.add(peer.expect(PointRequest.class));
            }
            PointRequest next = peer.expect(PointRequest.class); // sent once the others timed out
            for (PointRequest p : unanswered) {
                peer.send(new PointReply(p.requestId(), -1, 0, 0));
            }
            peer.send(new PointReply(next.requestId(), 2.5, 0, 0));
            peer.awaitClientClose(10_000);
        });
             CourierClient client = clientOf(server, 300);
             Connection c = client.open()) {
            List<CompletableFuture<Point>> timingOut = new ArrayList<>();
            for (int i = 0; i < late; i++) {
                timingOut.add(c.point("1", i, 1));
            }
            for (CompletableFuture<Point> f : timingOut) {
                assertThat(failure(f::join).code()).isEqualTo(ErrorCode.TIMED_OUT);
            }
            assertThat(c.point("1", 0, 1).get(5, TimeUnit.SECONDS).value()).isEqualTo(2.5);
            assertThat(c.isOpen()).isTrue();
        }
    }

    @Test
    void repliesToIdsNeverSentArePardonedUpToTheBudgetThenCloseTheConnection() throws Exception {
        try (ScriptedServer server = firstConnection(peer -> {
            peer.handshake();
            PointRequest first = peer.expect(PointRequest.class);
            for (int i = 0; i < ClientHandler.STRAY_REPLIES_ALLOWED; i++) {
                peer.send(new PointReply(1_000_000 + i, -1, 0, 0));
            }
            peer.send(new PointReply(first.requestId(), 2.5, 0, 0));
            peer.expect(PointRequest.class);
            peer.send(new PointReply(2_000_000, -1, 0, 0)); // one stray too many
            peer.awaitClientClose(10_000);
        });
             CourierClient client = clientOf(server, 20_000);
             Connection c = client.open()) {
            assertThat(c.point("1", 0, 1).get(5, TimeUnit.SECONDS).value()).isEqualTo(2.5);
            CourierException e = failure(() -> c.point("1", 0, 1).get(5, TimeUnit.SECONDS));
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_REPLY);
            assertThat(e.getMessage()).contains((ClientHandler.STRAY_REPLIES_ALLOWED + 1) + " replies");
            assertThat(c.isOpen()).isFalse();
            assertServedWithinASecond(client);
        }
    }

    @Test
    void aReplyOfAnotherTypeThanTheRequestExpectsClosesTheConnection() throws Exception {
        try (ScriptedServer server = firstConnection(peer -> {
            peer.handshake();
            PointRequest p = peer.expect(PointRequest.class);
            peer.send(new StatReply(p.requestId(), 10, 10));
            peer.awaitClientClose(10_000);
        });
             CourierClient client = clientOf(server, 20_000);
             Connection c = client.open()) {
            CourierException e = failure(() -> c.point("1", 0, 1).get(5, TimeUnit.SECONDS));
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_REPLY);
            assertThat(e.getMessage()).contains("StatReply").contains("PointReply");
            assertServedWithinASecond(client);
        }
    }

    /** Frames a server may send unasked, each numbered. */
    enum Unsolicited {
        PING(n -> new Ping(0, n)),
        PING_WITH_AN_ID(n -> new Ping((int) n + 1, n)),
        PONG(n -> new Pong(0, n)),
        ERROR_ABOUT_THE_CONNECTION(n -> new ErrorReply(0, ErrorCode.INTERNAL, "error " + n));

        final LongFunction<Message> frame;

        Unsolicited(LongFunction<Message> frame) {
            this.frame = frame;
        }
    }

    /**
     * A server floods frames and reads nothing (so the client's PONGs, if it sent them, would pile up in its
     * memory): the connection ends with BAD_REPLY long before the flood does, and the client's buffers stay small.
     */
    @ParameterizedTest
    @EnumSource(Unsolicited.class)
    void aFloodOfUnsolicitedFramesEndsWithBadReplyAndBoundedMemory(Unsolicited kind) throws Exception {
        long floodFrames = 2_000_000;
        AtomicLong written = new AtomicLong();
        try (ScriptedServer server = firstConnection(peer -> {
            peer.handshake();
            peer.expect(PointRequest.class);
            written.set(peer.flood(() -> kind.frame.apply(written.incrementAndGet()), floodFrames));
        });
             CourierClient client = clientOf(server, 20_000);
             Connection c = client.open()) {
            long before = directMemoryBytes();
            AtomicLong peak = new AtomicLong(before);
            CompletableFuture<Point> reply = c.point("1", 0, 1);
            Thread sampler = Thread.ofVirtual().start(() -> {
                while (!reply.isDone()) {
                    peak.accumulateAndGet(directMemoryBytes(), Math::max);
                    Thread.onSpinWait();
                }
            });
            CourierException e = failure(() -> reply.get(10, TimeUnit.SECONDS));
            sampler.join();
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_REPLY);
            assertThat(e.getMessage()).contains("flood");
            assertThat(peak.get() - before).as("direct memory taken during the flood").isLessThan(16 << 20);
            assertServedWithinASecond(client);
        }
        assertThat(written.get()).as("frames the server got out before the client hung up").isLessThan(floodFrames);
    }

    private static long directMemoryBytes() {
        return ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric().usedDirectMemory();
    }
}
