package dev.courier.client.hostile;

import static dev.courier.client.hostile.Hostile.assertServedWithinASecond;
import static dev.courier.client.hostile.Hostile.clientOf;
import static dev.courier.client.hostile.Hostile.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.client.SampleBlock;
import dev.courier.client.SampleStream;
import dev.courier.client.testing.ScriptedServer;
import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.RangeRequest;
import dev.courier.protocol.RecordEntry;
import dev.courier.protocol.RecordsReply;
import dev.courier.protocol.RecordsRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * A server that lies in its answers to range reads and listings: damaged rows fail the read with CHECKSUM_MISMATCH,
 * rows past the range or beyond the credit are BAD_REPLY, a listing longer than its total is BAD_REPLY; each time
 * the client is served on its next connection.
 */
class HostileRangeTest {
    private static ChunkReply rows(int id, long offset, boolean end, boolean damaged, double... values) {
        ByteBuf data = Unpooled.buffer();
        for (double v : values) {
            data.writeDouble(v);
        }
        CRC32C crc = new CRC32C();
        crc.update(data.nioBuffer());
        return new ChunkReply(id, offset, end, end, true, (int) crc.getValue() ^ (damaged ? 1 : 0), data);
    }

    @Test
    void goodRowsArriveAndDamagedOnesFailWithChecksumMismatch() throws Exception {
        try (ScriptedServer server = ScriptedServer.start(peer -> {
            if (peer.index() > 0) {
                Hostile.wellBehaved(peer);
                return;
            }
            peer.handshake();
            RangeRequest good = peer.expect(RangeRequest.class);
            peer.send(rows(good.requestId(), 0, true, false, 1.5, -0.25));
            RangeRequest bad = peer.expect(RangeRequest.class);
            peer.send(rows(bad.requestId(), 0, true, true, 1.5, -0.25));
            peer.awaitClientClose(10_000);
        });
             CourierClient client = clientOf(server, 20_000);
             Connection c = client.open()) {
            try (SampleStream s = c.range("1", 10, 12, 1, new int[] {1})) {
                SampleBlock b = s.next();
                assertThat(b.rows()).isEqualTo(2);
                assertThat(b.sampleIndex(1)).isEqualTo(11);
                assertThat(b.value(0, 0)).isEqualTo(1.5);
                assertThat(b.value(1, 0)).isEqualTo(-0.25);
                assertThat(s.next()).isNull();
            }
            try (SampleStream s = c.range("1", 10, 12, 1, new int[] {1})) {
                assertThat(failure(s::next).code()).isEqualTo(ErrorCode.CHECKSUM_MISMATCH);
            }
        }
    }

    @Test
    void damagedRowsFailAPushedReadWithChecksumMismatchBeforeTheConsumerSeesThem() throws Exception {
        try (ScriptedServer server = ScriptedServer.start(peer -> {
            if (peer.index() > 0) {
                Hostile.wellBehaved(peer);
                return;
            }
            peer.handshake();
            RangeRequest bad = peer.expect(RangeRequest.class);
            peer.send(rows(bad.requestId(), 0, true, true, 1.5, -0.25));
            peer.awaitClientClose(10_000);
        });
             CourierClient client = clientOf(server, 20_000);
             Connection c = client.open()) {
            List<SampleBlock> seen = new CopyOnWriteArrayList<>();
            CourierException e = failure(() -> CourierException.join(c.range("1", 10, 12, 1, new int[] {1}, seen::add)));
            assertThat(e.code()).isEqualTo(ErrorCode.CHECKSUM_MISMATCH);
            assertThat(seen).isEmpty();
            assertServedWithinASecond(client);
        }
    }

    @Test
    void rowsPastTheRangeAreABadReply() throws Exception {
        try (ScriptedServer server = ScriptedServer.start(peer -> {
            if (peer.index() > 0) {
                Hostile.wellBehaved(peer);
                return;
            }
            peer.handshake();
            RangeRequest r = peer.expect(RangeRequest.class);
            peer.send(rows(r.requestId(), 0, true, false, 1, 2, 3)); // three rows for a range of two
            peer.awaitClientClose(10_000);
        });
             CourierClient client = clientOf(server, 20_000);
             Connection c = client.open()) {
            try (SampleStream s = c.range("1", 0, 2, 1, new int[] {1})) {
                CourierException e = failure(s::next);
                assertThat(e.code()).isEqualTo(ErrorCode.BAD_REPLY);
            }
            assertThat(c.isOpen()).isFalse();
            assertServedWithinASecond(client);
        }
    }

    @Test
    void aListingLongerThanItsTotalIsABadReply() throws Exception {
        try (ScriptedServer server = ScriptedServer.start(peer -> {
            if (peer.index() > 0) {
                Hostile.wellBehaved(peer);
                return;
            }
            peer.handshake();
            RecordsRequest r = peer.expect(RecordsRequest.class);
            peer.send(new RecordsReply(r.requestId(), 0, List.of(new RecordEntry("x", 1, 2, 0,
                    OptionalLong.empty(), Optional.empty(), List.of()))));
            peer.awaitClientClose(10_000);
        });
             CourierClient client = clientOf(server, 20_000);
             Connection c = client.open()) {
            CourierException e = failure(() -> c.records().get(5, TimeUnit.SECONDS));
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_REPLY);
            assertServedWithinASecond(client);
        }
    }
}
