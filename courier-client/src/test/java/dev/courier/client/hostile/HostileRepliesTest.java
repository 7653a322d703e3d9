package dev.courier.client.hostile;

import static dev.courier.client.hostile.Hostile.assertServedWithinASecond;
import static dev.courier.client.hostile.Hostile.clientOf;
import static dev.courier.client.hostile.Hostile.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.client.testing.ScriptedServer;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.FileEntry;
import dev.courier.protocol.ListReply;
import dev.courier.protocol.Message;
import dev.courier.protocol.PointBatchReply;
import dev.courier.protocol.StatReply;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Replies of the right type whose values no file or batch can have: BAD_REPLY, the connection closed, and the same
 * client served on the next one.
 */
class HostileRepliesTest {
    /** A request, and the lying reply the server sends for the request id it gets. */
    enum Lie {
        STAT_OF_2_TO_THE_64_MINUS_1(c -> c.stat("f"), id -> new StatReply(id, -1, 0)),
        LISTING_WITH_A_NEGATIVE_SIZE(c -> c.list(""), id -> new ListReply(id, List.of(
                new FileEntry("a", false, 1, 0), new FileEntry("b", false, Long.MIN_VALUE, 0)))),
        BATCH_OF_ONE_FOR_TWO_TIMES(c -> c.points("1", 1, new double[] {0, 0.004}),
                id -> new PointBatchReply(id, new int[] {0}, new double[] {0}, new double[] {0})),
        DIGEST_RESULT_THAT_DOES_NOT_PARSE(c -> c.digest("f"), id -> null);

        final Function<Connection, CompletableFuture<?>> request;
        final IntFunction<Message> reply;

        Lie(Function<Connection, CompletableFuture<?>> request, IntFunction<Message> reply) {
            this.request = request;
            this.reply = reply;
        }
    }

    @ParameterizedTest
    @EnumSource(Lie.class)
    void aReplyNoFileOrBatchCanHaveIsABadReply(Lie lie) throws Exception {
        try (ScriptedServer server = ScriptedServer.start(peer -> {
            if (peer.index() > 0) {
                Hostile.wellBehaved(peer);
                return;
            }
            peer.handshake();
            int id = peer.receive().requestId();
            Message reply = lie.reply.apply(id);
            if (reply != null) {
                peer.send(reply);
            } else {
                // DIGEST_RESULT with 10 payload bytes where 48 belong.
                peer.sendRaw(new byte[] {0, 0, 0, 16, 0x27, 0, (byte) (id >>> 24), (byte) (id >>> 16),
                        (byte) (id >>> 8), (byte) id, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
            }
            peer.awaitClientClose(10_000);
        });
             CourierClient client = clientOf(server, 20_000);
             Connection c = client.open()) {
            CourierException e = failure(() -> lie.request.apply(c).get(5, TimeUnit.SECONDS));
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_REPLY);
            assertThat(c.isOpen()).isFalse();
            assertServedWithinASecond(client);
        }
    }
}
