package dev.courier.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.AppendAck;
import dev.courier.protocol.AppendRequest;
import dev.courier.protocol.CancelStream;
import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.EnvelopeReply;
import dev.courier.protocol.EnvelopeRequest;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.PointReply;
import dev.courier.protocol.PointRequest;
import dev.courier.protocol.RangeRequest;
import dev.courier.protocol.RecordEntry;
import dev.courier.protocol.RecordsReply;
import dev.courier.protocol.RecordsRequest;
import dev.courier.protocol.Reply;
import dev.courier.protocol.SubscribeRequest;
import dev.courier.protocol.WindowUpdate;
import dev.courier.server.CourierServer;
import dev.courier.server.ServerConfig;
import dev.courier.server.testing.RawConnection;
import dev.courier.server.testing.TestServers;
import dev.courier.server.testing.WellBehavedClient;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live records on a real server on loopback, driven by raw frames: APPEND is acknowledged with the indexes the rows
 * got and points, ranges, envelopes and RECORDS see them at once, values exact; SUBSCRIBE sends the stored rows, then
 * the appended ones; every bad APPEND gets its typed error and the server goes on serving; a subscriber that never
 * grants credit is sent SLOW_CONSUMER while the producer and another subscriber go on; acknowledged rows survive a
 * restart, and a torn row is cut; record files a power loss left empty or cut inside their header are made again
 * from the log, and every acknowledged sample is served.
 */
class LiveRecordsTest {
    private static final double RATE_HZ = 250;
    private static final int CHANNELS = 2;

    @TempDir
    Path dir;

    private CourierServer start(LiveConfig live) throws Exception {
        return CourierServer.start(TestServers.config(dir.resolve("files").toFile().mkdirs() ? dir.resolve("files")
                : dir.resolve("files")).withLive(live));
    }

    private CourierServer start() throws Exception {
        return start(LiveConfig.of(dir.resolve("live")));
    }

    /** Rows {@code [first, first + n)}: time first/250 s on, values computed from the index, so each is distinct. */
    private static AppendRequest rows(int id, String record, long first, int n) {
        double[] times = new double[n];
        double[] values = new double[n * CHANNELS];
        for (int r = 0; r < n; r++) {
            long i = first + r;
            times[r] = 10.0 + i / RATE_HZ;
            values[r * CHANNELS] = value(i, 1);
            values[r * CHANNELS + 1] = value(i, 2);
        }
        return new AppendRequest(id, record, RATE_HZ, CHANNELS, times, values);
    }

    private static double value(long sample, int channel) {
        return Math.sin(sample * 0.01 * channel) + channel * 0.001 + sample / 1e6;
    }

    private static <T extends Reply> T receive(RawConnection c, Class<T> type) throws IOException {
        Reply r = c.receive();
        assertThat(r).as("reply").isInstanceOf(type);
        return type.cast(r);
    }

    private static ErrorReply error(RawConnection c, int id, ErrorCode code) throws IOException {
        ErrorReply e = receive(c, ErrorReply.class);
        assertThat(e.requestId()).isEqualTo(id);
        assertThat(e.code()).as(e.message()).isEqualTo(code);
        return e;
    }

    /** Reads chunks of {@code id} until {@code rows} rows came, checking offsets, CRCs and whole rows. */
    private static List<double[]> chunks(RawConnection c, int id, int channels, long rows, long[] offset)
            throws IOException {
        List<double[]> out = new ArrayList<>();
        while (out.size() < rows) {
            ChunkReply chunk = receive(c, ChunkReply.class);
            assertThat(chunk.requestId()).isEqualTo(id);
            assertThat(chunk.offsetBytes()).isEqualTo(offset[0]);
            ByteBuf data = chunk.data();
            CRC32C crc = new CRC32C();
            crc.update(data.nioBuffer());
            assertThat(chunk.crc32c()).isEqualTo((int) crc.getValue());
            assertThat(data.readableBytes() % (channels * 8)).isZero();
            offset[0] += data.readableBytes();
            while (data.isReadable()) {
                double[] row = new double[channels];
                for (int ch = 0; ch < channels; ch++) {
                    row[ch] = data.readDouble();
                }
                out.add(row);
            }
        }
        assertThat(out).hasSize((int) rows);
        return out;
    }

    @Test
    void anAppendIsAcknowledgedAndPointsRangesEnvelopesAndRecordsSeeItAtOnce() throws Exception {
        try (CourierServer server = start(); RawConnection c = RawConnection.handshaken(server.localAddress())) {
            c.send(rows(1, "live-a", 0, 300));
            AppendAck first = receive(c, AppendAck.class);
            assertThat(first).isEqualTo(new AppendAck(1, 0, 300));
            c.send(rows(2, "live-a", 300, 200));
            assertThat(receive(c, AppendAck.class)).isEqualTo(new AppendAck(2, 300, 200));

            c.send(new PointRequest(3, "live-a", 10.0 + 421 / RATE_HZ, 2));
            PointReply p = receive(c, PointReply.class);
            assertThat(p.sampleIndex()).isEqualTo(421);
            assertThat(p.value()).isEqualTo(value(421, 2));

            c.send(new RangeRequest(4, "live-a", 250, 500, 1, 1 << 20, 4096, new int[] {1, 2}));
            List<double[]> range = chunks(c, 4, 2, 250, new long[1]);
            for (int r = 0; r < 250; r++) {
                assertThat(range.get(r)).containsExactly(value(250 + r, 1), value(250 + r, 2));
            }

            c.send(new EnvelopeRequest(5, "live-a", 0, 500, 1, new int[] {1}));
            EnvelopeReply env = receive(c, EnvelopeReply.class);
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < 500; i++) {
                min = Math.min(min, value(i, 1));
                max = Math.max(max, value(i, 1));
            }
            assertThat(env.values()).containsExactly(min, max, value(0, 1), value(499, 1));

            c.send(new RecordsRequest(6, 0));
            RecordsReply records = receive(c, RecordsReply.class);
            RecordEntry entry = records.records().stream().filter(e -> e.id().equals("live-a")).findFirst()
                    .orElseThrow();
            assertThat(entry.sampleCount()).isEqualTo(500);
            assertThat(entry.rateHz()).isEqualTo(RATE_HZ);
            assertThat(entry.startTimeSeconds()).isEqualTo(10.0);
            assertThat(entry.channels()).hasSize(2);
        }
    }

    @Test
    void pipelinedAppendsOfOneConnectionAreTakenInTheOrderSent() throws Exception {
        try (CourierServer server = start(); RawConnection c = RawConnection.handshaken(server.localAddress())) {
            for (int k = 0; k < 40; k++) {
                c.send(rows(100 + k, "live-p", k * 10L, 10)); // sent back to back, none waits for its ACK
            }
            List<AppendAck> acks = new ArrayList<>();
            for (int k = 0; k < 40; k++) {
                acks.add(receive(c, AppendAck.class));
            }
            acks.sort((a, b) -> Integer.compare(a.requestId(), b.requestId()));
            for (int k = 0; k < 40; k++) {
                assertThat(acks.get(k)).isEqualTo(new AppendAck(100 + k, k * 10L, 10));
            }
        }
    }

    @Test
    void badAppendsGetTheirTypedErrorAndTheServerGoesOn() throws Exception {
        try (CourierServer server = start(); RawConnection c = RawConnection.handshaken(server.localAddress())) {
            c.send(rows(1, "live-b", 0, 10));
            receive(c, AppendAck.class);

            c.send(new AppendRequest(2, "live-b", RATE_HZ, 3, new double[] {10.04}, new double[] {1, 2, 3}));
            assertThat(error(c, 2, ErrorCode.BAD_APPEND).message()).contains("2 channels");

            c.send(rows(3, "live-b", 5, 10)); // times go back to sample 5's
            assertThat(error(c, 3, ErrorCode.BAD_APPEND).message()).contains("does not follow");

            c.send(new AppendRequest(4, "live-b", 500, CHANNELS, new double[] {10.04}, new double[] {1, 2}));
            assertThat(error(c, 4, ErrorCode.BAD_APPEND).message()).contains("250.0 Hz");

            c.send(new AppendRequest(5, "live-b", RATE_HZ, CHANNELS, new double[] {10.5}, new double[] {1, 2}));
            assertThat(error(c, 5, ErrorCode.BAD_APPEND).message()).contains("off the");

            c.send(new AppendRequest(6, "live-b", RATE_HZ, CHANNELS, new double[] {10.04},
                    new double[] {Double.NaN, 2}));
            assertThat(error(c, 6, ErrorCode.BAD_APPEND).message()).contains("NaN");

            c.send(rows(7, "3", 0, 1)); // a bundled, recorded record
            error(c, 7, ErrorCode.NOT_LIVE);

            c.send(rows(8, "../escape", 0, 1));
            error(c, 8, ErrorCode.BAD_APPEND);

            // Nothing bad was kept: the next good rows are samples 10 on.
            c.send(rows(9, "live-b", 10, 5));
            assertThat(receive(c, AppendAck.class)).isEqualTo(new AppendAck(9, 10, 5));
            WellBehavedClient.assertServed(c, 10);
            WellBehavedClient.assertServedWithinASecond(server.localAddress());
        }
    }

    @Test
    void appendAndSubscribeWithoutLiveAreLiveDisabled() throws Exception {
        try (CourierServer server = TestServers.start(); RawConnection c =
                RawConnection.handshaken(server.localAddress())) {
            c.send(rows(1, "live-c", 0, 10));
            error(c, 1, ErrorCode.LIVE_DISABLED);
            c.send(new SubscribeRequest(2, "live-c", 0, 1 << 20, 4096, new int[] {1}));
            error(c, 2, ErrorCode.LIVE_DISABLED);
            WellBehavedClient.assertServed(c, 3);
        }
    }

    @Test
    void aSubscriberGetsTheStoredRowsThenEachAppendAsItIsAcknowledged() throws Exception {
        try (CourierServer server = start(); RawConnection producer = RawConnection.handshaken(server.localAddress());
             RawConnection sub = RawConnection.handshaken(server.localAddress())) {
            producer.send(rows(1, "live-d", 0, 100));
            receive(producer, AppendAck.class);

            sub.send(new SubscribeRequest(7, "live-d", 40, 1 << 20, 4096, new int[] {2, 1}));
            long[] offset = {0};
            List<double[]> stored = chunks(sub, 7, 2, 60, offset);
            for (int r = 0; r < 60; r++) {
                assertThat(stored.get(r)).containsExactly(value(40 + r, 2), value(40 + r, 1));
            }
            for (int k = 0; k < 5; k++) {
                producer.send(rows(2 + k, "live-d", 100 + k * 30L, 30));
                receive(producer, AppendAck.class);
                List<double[]> live = chunks(sub, 7, 2, 30, offset);
                for (int r = 0; r < 30; r++) {
                    long i = 100 + k * 30L + r;
                    assertThat(live.get(r)).containsExactly(value(i, 2), value(i, 1));
                }
            }
            sub.send(new CancelStream(7));
            ChunkReply end = receive(sub, ChunkReply.class);
            assertThat(end.end()).isTrue();
            assertThat(end.offsetBytes()).isEqualTo(offset[0]);
            WellBehavedClient.assertServed(sub, 8);
        }
    }

    @Test
    void manySubscriptionsOfOneConnectionEachGetEveryPipelinedAppendOnceInOrder() throws Exception {
        // One connection's subscriptions are sent by one drain per arrival: each must still get every block, once,
        // in order, whether it sends the shared block whole (its CRC computed once), split (a chunk smaller than the
        // block) or copied (some channels), and whether it starts with stored rows or not.
        int subscriptions = 60;
        try (CourierServer server = start(); RawConnection producer = RawConnection.handshaken(server.localAddress());
             RawConnection sub = RawConnection.handshaken(server.localAddress())) {
            producer.send(rows(1, "live-m", 0, 3));
            receive(producer, AppendAck.class);
            int[][] channels = new int[subscriptions][];
            long[] from = new long[subscriptions];
            long[] offset = new long[subscriptions];
            long[] next = new long[subscriptions];
            for (int k = 0; k < subscriptions; k++) {
                channels[k] = k % 3 == 2 ? new int[] {2} : new int[] {1, 2};
                from[k] = k % 2 == 0 ? 0 : 3;
                next[k] = from[k];
                sub.send(new SubscribeRequest(100 + k, "live-m", from[k], 1 << 20, 4096, channels[k]));
            }
            // Pipelined, not waiting for ACKs, so that several blocks can reach a drain together; one of 300 rows
            // is longer than a 4096-byte chunk of two channels (256 rows), so it goes out split.
            long end = 3;
            int appends = 12;
            for (int a = 0; a < appends; a++) {
                int n = a == 5 ? 300 : 1 + a;
                producer.send(rows(10 + a, "live-m", end, n));
                end += n;
            }
            for (int a = 0; a < appends; a++) {
                assertThat(receive(producer, AppendAck.class).requestId()).isEqualTo(10 + a);
            }
            int complete = 0;
            while (complete < subscriptions) {
                ChunkReply chunk = receive(sub, ChunkReply.class);
                int k = chunk.requestId() - 100;
                assertThat(k).isBetween(0, subscriptions - 1);
                assertThat(chunk.offsetBytes()).isEqualTo(offset[k]);
                ByteBuf data = chunk.data();
                CRC32C crc = new CRC32C();
                crc.update(data.nioBuffer());
                assertThat(chunk.crc32c()).isEqualTo((int) crc.getValue());
                offset[k] += data.readableBytes();
                while (data.isReadable()) {
                    assertThat(next[k]).as("subscription %d got a row past the last appended", k).isLessThan(end);
                    for (int ch : channels[k]) {
                        assertThat(data.readDouble()).isEqualTo(value(next[k], ch));
                    }
                    next[k]++;
                }
                if (next[k] == end) {
                    complete++;
                }
            }
            for (int k = 0; k < subscriptions; k++) {
                assertThat(offset[k]).isEqualTo((end - from[k]) * channels[k].length * 8);
            }
            WellBehavedClient.assertServed(sub, 9);
        }
    }

    @Test
    void subscribingToAnUnknownOrRecordedRecordOrPastTheEndIsRefused() throws Exception {
        try (CourierServer server = start(); RawConnection c = RawConnection.handshaken(server.localAddress())) {
            c.send(new SubscribeRequest(1, "nobody", 0, 1 << 20, 4096, new int[] {1}));
            error(c, 1, ErrorCode.UNKNOWN_RECORD);
            c.send(new SubscribeRequest(2, "3", 0, 1 << 20, 4096, new int[] {1}));
            error(c, 2, ErrorCode.NOT_LIVE);
            c.send(rows(3, "live-e", 0, 10));
            receive(c, AppendAck.class);
            c.send(new SubscribeRequest(4, "live-e", 11, 1 << 20, 4096, new int[] {1}));
            error(c, 4, ErrorCode.BAD_RANGE);
            c.send(new SubscribeRequest(5, "live-e", 0, 1 << 20, 4096, new int[] {3}));
            error(c, 5, ErrorCode.UNKNOWN_CHANNEL);
            c.send(new SubscribeRequest(6, "live-e", 0, 1 << 20, 4000, new int[] {1, 2}));
            error(c, 6, ErrorCode.MALFORMED_REQUEST);
            WellBehavedClient.assertServed(c, 7);
        }
    }

    @Test
    void aSubscriberThatNeverGrantsCreditIsSlowConsumerAndNobodyElseWaits() throws Exception {
        long boundBytes = 64 << 10;
        try (CourierServer server = start(LiveConfig.of(dir.resolve("live")).withSubscriberQueueBytes(boundBytes));
             RawConnection producer = RawConnection.handshaken(server.localAddress());
             RawConnection stalled = RawConnection.handshaken(server.localAddress());
             RawConnection reader = RawConnection.handshaken(server.localAddress())) {
            producer.send(rows(1, "live-f", 0, 1));
            receive(producer, AppendAck.class);
            stalled.send(new SubscribeRequest(5, "live-f", 0, 4096, 4096, new int[] {1, 2}));
            reader.send(new SubscribeRequest(6, "live-f", 0, 1 << 20, 64 << 10, new int[] {1, 2}));
            long[] readerOffset = {0};
            chunks(reader, 6, 2, 1, readerOffset);
            // 40 appends of 256 rows: 160 KiB, past the stalled one's 64 KiB bound once its 4 KiB of credit is spent.
            int perAppend = 256;
            long next = 1;
            long granted = 0;
            for (int k = 0; k < 40; k++) {
                producer.send(rows(10 + k, "live-f", next, perAppend));
                AppendAck ack = receive(producer, AppendAck.class);
                assertThat(ack.firstSample()).isEqualTo(next);
                List<double[]> got = chunks(reader, 6, 2, perAppend, readerOffset);
                assertThat(got.getLast()).containsExactly(value(next + perAppend - 1, 1),
                        value(next + perAppend - 1, 2));
                next += perAppend;
                granted += perAppend * 16L;
                if (granted >= 256 << 10) {
                    reader.send(new WindowUpdate(6, (int) granted));
                    granted = 0;
                }
            }
            // The stalled one: what its credit allowed, then SLOW_CONSUMER with its id; its connection still serves.
            long stalledRows = 0;
            while (true) {
                Reply r = stalled.receive();
                if (r instanceof ChunkReply chunk) {
                    stalledRows += chunk.data().readableBytes() / 16;
                    continue;
                }
                assertThat(r).isInstanceOf(ErrorReply.class);
                ErrorReply e = (ErrorReply) r;
                assertThat(e.requestId()).isEqualTo(5);
                assertThat(e.code()).isEqualTo(ErrorCode.SLOW_CONSUMER);
                break;
            }
            assertThat(stalledRows).isEqualTo(4096 / 16);
            WellBehavedClient.assertServed(stalled, 99);
        }
    }

    @Test
    void acknowledgedRowsSurviveARestartAndATornRowIsCut() throws Exception {
        InetSocketAddress address;
        try (CourierServer server = start(); RawConnection c = RawConnection.handshaken(server.localAddress())) {
            address = server.localAddress();
            c.send(rows(1, "live-g", 0, 123));
            receive(c, AppendAck.class);
        }
        assertThat(address).isNotNull();
        Path file = dir.resolve("live").resolve("live-g.live");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap(new byte[11])); // a row of 16 bytes cut short, as a crash mid-write leaves it
        }
        try (CourierServer server = start(); RawConnection c = RawConnection.handshaken(server.localAddress())) {
            c.send(new PointRequest(2, "live-g", 10.0 + 122 / RATE_HZ, 1));
            PointReply p = receive(c, PointReply.class);
            assertThat(p.sampleIndex()).isEqualTo(122);
            assertThat(p.value()).isEqualTo(value(122, 1));
            c.send(rows(3, "live-g", 123, 2));
            assertThat(receive(c, AppendAck.class)).isEqualTo(new AppendAck(3, 123, 2));
        }
        assertThat(file.toFile().length()).isEqualTo(LiveFile.HEADER_BYTES + 125 * 16L);
    }

    @Test
    void recordFilesAPowerLossLeftEmptyOrCutInsideTheirHeaderAreMadeAgainAndServeEveryAcknowledgedSample()
            throws Exception {
        String[] ids = {"live-empty", "live-cut"};
        long[] acknowledged = new long[ids.length];
        Path crashed = dir.resolve("crashed");
        try (CourierServer server = start(); RawConnection c = RawConnection.handshaken(server.localAddress())) {
            int id = 1;
            for (int round = 0; round < 6; round++) {
                for (int k = 0; k < ids.length; k++) {
                    c.send(rows(id, ids[k], acknowledged[k], 17 + round * 3 + k));
                    AppendAck ack = receive(c, AppendAck.class);
                    assertThat(ack.requestId()).isEqualTo(id++);
                    assertThat(ack.firstSample()).isEqualTo(acknowledged[k]);
                    acknowledged[k] += ack.rows();
                }
            }
            // No checkpoint ran: the rows are in the log alone and the files hold their unsynced headers.
            LiveRecoveryTest.copy(dir.resolve("live"), crashed);
        }
        // The files' directory entries reached the disk, their data did not (or only part of the header).
        try (FileChannel empty = FileChannel.open(crashed.resolve("live-empty.live"), StandardOpenOption.WRITE);
             FileChannel cut = FileChannel.open(crashed.resolve("live-cut.live"), StandardOpenOption.WRITE)) {
            empty.truncate(0);
            cut.truncate(LiveFile.HEADER_BYTES / 2 + 3);
        }
        try (CourierServer server = start(LiveConfig.of(crashed));
             RawConnection c = RawConnection.handshaken(server.localAddress())) {
            for (int k = 0; k < ids.length; k++) {
                int request = 10 + k;
                c.send(new RangeRequest(request, ids[k], 0, acknowledged[k], 1, 1 << 20, 4096, new int[] {1, 2}));
                List<double[]> got = chunks(c, request, 2, acknowledged[k], new long[1]);
                for (int r = 0; r < acknowledged[k]; r++) {
                    assertThat(got.get(r)).as("%s sample %d", ids[k], r).containsExactly(value(r, 1), value(r, 2));
                }
                c.send(rows(20 + k, ids[k], acknowledged[k], 2));
                assertThat(receive(c, AppendAck.class)).isEqualTo(new AppendAck(20 + k, acknowledged[k], 2));
            }
            WellBehavedClient.assertServed(c, 30);
        }
        for (int k = 0; k < ids.length; k++) {
            assertThat(Files.size(crashed.resolve(ids[k] + ".live")))
                    .isEqualTo(LiveFile.HEADER_BYTES + (acknowledged[k] + 2) * CHANNELS * 8);
        }
    }
}
