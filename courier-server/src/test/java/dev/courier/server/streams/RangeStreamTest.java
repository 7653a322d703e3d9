package dev.courier.server.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.EnvelopeReply;
import dev.courier.protocol.EnvelopeRequest;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.Ping;
import dev.courier.protocol.Pong;
import dev.courier.protocol.RangeRequest;
import dev.courier.protocol.RecordEntry;
import dev.courier.protocol.RecordsReply;
import dev.courier.protocol.RecordsRequest;
import dev.courier.protocol.Reply;
import dev.courier.protocol.WindowUpdate;
import dev.courier.server.CourierServer;
import dev.courier.server.ServerConfig;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.RawConnection;
import dev.courier.server.testing.TestServers;
import dev.courier.server.testing.WellBehavedClient;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RECORDS, RANGE_STREAM and ENVELOPE against a real server on loopback holding the bundled recordings, driven by raw
 * frames: every value is compared bit for bit with what {@code Double.parseDouble} makes of the CSV text, read here
 * ({@link CsvTruth}); each chunk's CRC32C is computed here; the credit is never exceeded; every bad field gets its
 * typed error and the connection goes on serving.
 */
class RangeStreamTest {
    private static final String RECORD = "3";
    /** 4096 rows of two channels. */
    private static final int CHUNK_BYTES = 64 << 10;

    private static CsvTruth truth;
    private static CourierServer server;

    @BeforeAll
    static void start() throws Exception {
        truth = CsvTruth.load();
        server = TestServers.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /**
     * The rows of one range stream, checked chunk by chunk: offsets consecutive, CRC32C right, credit kept. Scaled
     * chunks (flag SCALED, only when the request asked) are decoded here with {@link BigDecimal}, not the client's
     * division: a u8 of digits per channel, then i16 k per value, each {@code k * 10^-digits} rounded to a double;
     * their offsets and credit count the f64 rows they stand for.
     */
    private static List<double[]> readRows(RawConnection c, RangeRequest r, long creditBytes) throws IOException {
        return readRows(c, r, creditBytes, new int[1]);
    }

    /** As above; {@code scaledChunks[0]} counts the chunks that came scaled. */
    private static List<double[]> readRows(RawConnection c, RangeRequest r, long creditBytes, int[] scaledChunks)
            throws IOException {
        List<double[]> rows = new ArrayList<>();
        long offset = 0;
        int channels = r.channels().length;
        while (true) {
            Reply reply = c.receive();
            assertThat(reply).as("frame of stream %s", r.requestId()).isInstanceOf(ChunkReply.class);
            ChunkReply chunk = (ChunkReply) reply;
            ByteBuf data = chunk.data();
            assertThat(chunk.requestId()).isEqualTo(r.requestId());
            assertThat(chunk.offsetBytes()).as("offset").isEqualTo(offset);
            assertThat(chunk.hasCrc()).isTrue();
            CRC32C crc = new CRC32C();
            crc.update(data.nioBuffer());
            assertThat(chunk.crc32c()).as("crc32c of the chunk at %s", offset).isEqualTo((int) crc.getValue());
            int rowCount;
            if (chunk.scaled() && data.isReadable()) {
                assertThat(r.scaled()).as("SCALED only when asked for").isTrue();
                scaledChunks[0]++;
                int[] digits = new int[channels];
                for (int ch = 0; ch < channels; ch++) {
                    digits[ch] = data.readUnsignedByte();
                }
                assertThat(data.readableBytes() % (channels * 2)).as("whole scaled rows").isZero();
                rowCount = data.readableBytes() / (channels * 2);
                for (int i = 0; i < rowCount; i++) {
                    double[] row = new double[channels];
                    for (int ch = 0; ch < channels; ch++) {
                        row[ch] = BigDecimal.valueOf(data.readShort(), digits[ch]).doubleValue();
                    }
                    rows.add(row);
                }
            } else {
                int n = data.readableBytes();
                assertThat(n % (channels * 8)).as("whole rows").isZero();
                rowCount = n / (channels * 8);
                for (int i = 0; i < rowCount; i++) {
                    double[] row = new double[channels];
                    for (int ch = 0; ch < channels; ch++) {
                        row[ch] = data.readDouble();
                    }
                    rows.add(row);
                }
            }
            long n = (long) rowCount * channels * 8;
            assertThat(n).as("chunk within the credit").isLessThanOrEqualTo(creditBytes);
            creditBytes -= n;
            offset += n;
            if (chunk.end()) {
                assertThat(chunk.last()).as("the range's final chunk carries LAST").isTrue();
                assertThat(offset).as("stream length").isEqualTo(r.lengthBytes());
                chunk.release();
                return rows;
            }
            chunk.release();
        }
    }

    private static void assertRowsAreTheCsv(List<double[]> rows, String record, long from, int step, int[] channels) {
        for (int i = 0; i < rows.size(); i++) {
            int index = (int) (from + (long) i * step);
            for (int ch = 0; ch < channels.length; ch++) {
                double expected = truth.value(record, index, channels[ch]);
                assertThat(Double.doubleToRawLongBits(rows.get(i)[ch]))
                        .as("record %s sample %d channel %d (%s)", record, index, channels[ch],
                                truth.valueText(record, index, channels[ch]))
                        .isEqualTo(Double.doubleToRawLongBits(expected));
            }
        }
    }

    @Test
    void recordsListsEveryRecordWithItsLengthRateAndBundledUnits() throws Exception {
        try (RawConnection c = RawConnection.handshaken(server.localAddress())) {
            c.send(new RecordsRequest(1, 0));
            RecordsReply reply = (RecordsReply) c.receive();

            assertThat(reply.totalRecords()).isEqualTo(truth.records().size());
            assertThat(reply.records()).extracting(RecordEntry::id)
                    .containsExactlyInAnyOrderElementsOf(truth.records());
            for (RecordEntry e : reply.records()) {
                assertThat(e.sampleCount()).as("samples of %s", e.id()).isEqualTo(truth.samples(e.id()));
                // The times of the CSV, independently: (last - first) / (n - 1) is the step.
                double first = Double.parseDouble(truth.timeText(e.id(), 0));
                double last = Double.parseDouble(truth.timeText(e.id(), truth.samples(e.id()) - 1));
                assertThat(e.rateHz()).isCloseTo((truth.samples(e.id()) - 1) / (last - first), within(1e-9));
                assertThat(e.startTimeSeconds()).isEqualTo(first);
                assertThat(e.timeTitle()).as("no header row in the bundled files").isEmpty();
                assertThat(e.channels()).containsExactly(new RecordEntry.ChannelEntry("ecg1", "mV", ""),
                        new RecordEntry.ChannelEntry("ecg2", "mV", ""));
            }
            c.send(new RecordsRequest(2, truth.records().size()));
            assertThat(((RecordsReply) c.receive()).records()).as("from past the last").isEmpty();
        }
    }

    @Test
    void wholeRecordArrivesAsTheDoublesOfItsCsvText() throws Exception {
        try (RawConnection c = RawConnection.handshaken(server.localAddress())) {
            int samples = truth.samples(RECORD);
            RangeRequest r = new RangeRequest(3, RECORD, 0, samples, 1, Integer.MAX_VALUE, CHUNK_BYTES,
                    new int[] {1, 2});
            c.send(r);
            List<double[]> rows = readRows(c, r, Integer.MAX_VALUE);

            assertThat(rows).hasSize(samples);
            assertRowsAreTheCsv(rows, RECORD, 0, 1, new int[] {1, 2});
        }
    }

    @Test
    void aClientThatReadsScaledRowsGetsTheStoredI16sOfEveryBundledRecordAndTheyAreTheCsvDoubles() throws Exception {
        try (RawConnection c = RawConnection.handshaken(server.localAddress())) {
            int id = 100;
            for (String record : truth.records()) {
                int samples = truth.samples(record);
                RangeRequest r = new RangeRequest(id++, record, 0, samples, 1, Integer.MAX_VALUE, CHUNK_BYTES,
                        new int[] {1, 2}, true);
                c.send(r);
                int[] scaled = new int[1];
                List<double[]> rows = readRows(c, r, Integer.MAX_VALUE, scaled);

                assertThat(rows).hasSize(samples);
                assertThat(scaled[0]).as("chunks of record %s that came scaled", record)
                        .isEqualTo(Math.ceilDiv(samples * 16, CHUNK_BYTES));
                assertRowsAreTheCsv(rows, record, 0, 1, new int[] {1, 2});
            }
        }
    }

    @Test
    void scaledRowsKeepTheStepAndTheChannelOrder() throws Exception {
        try (RawConnection c = RawConnection.handshaken(server.localAddress())) {
            RangeRequest r = new RangeRequest(5, "7", 101, 9_000, 7, 1 << 20, 4096, new int[] {2, 1}, true);
            c.send(r);
            int[] scaled = new int[1];
            List<double[]> rows = readRows(c, r, 1 << 20, scaled);

            assertThat(scaled[0]).isPositive();
            assertThat(rows).hasSize((9_000 - 101 + 6) / 7);
            assertRowsAreTheCsv(rows, "7", 101, 7, new int[] {2, 1});
        }
    }

    /**
     * A column the server keeps as f64 (values with more digits than a scaled column may have) goes out as f64 even
     * to a client that reads scaled rows, and so does any range that includes it; the i16 column beside it alone
     * comes scaled.
     */
    @Test
    void aRangeWithAnF64ColumnComesAsF64EvenWhenScaledRowsWereAskedFor(@TempDir Path data) throws Exception {
        int samples = 5_000;
        try (Writer w = Files.newBufferedWriter(data.resolve("mixed.csv"), StandardCharsets.US_ASCII)) {
            for (int i = 0; i < samples; i++) {
                w.write(i + "," + (i % 700 - 350) / 100.0 + "," + Math.PI * i + "\n");
            }
        }
        CsvTruth mixed = CsvTruth.load(data);
        ServerConfig config = ServerConfig.of(new InetSocketAddress("127.0.0.1", 0), data, data);
        try (CourierServer s = CourierServer.start(config);
             RawConnection c = RawConnection.handshaken(s.localAddress())) {
            int id = 1;
            for (int[] channels : new int[][] {{1}, {2}, {1, 2}, {2, 1}}) {
                RangeRequest r = new RangeRequest(id++, "mixed", 0, samples, 1, 1 << 20, 8192, channels, true);
                c.send(r);
                int[] scaled = new int[1];
                List<double[]> rows = readRows(c, r, 1 << 20, scaled);

                assertThat(scaled[0] > 0).as("channels %s scaled", Arrays.toString(channels))
                        .isEqualTo(channels.length == 1 && channels[0] == 1);
                for (int i = 0; i < samples; i++) {
                    for (int ch = 0; ch < channels.length; ch++) {
                        assertThat(rows.get(i)[ch]).isEqualTo(mixed.value("mixed", i, channels[ch]));
                    }
                }
            }
        }
    }

    @Test
    void everyKthSampleOfChannelsInTheOrderAskedFor() throws Exception {
        try (RawConnection c = RawConnection.handshaken(server.localAddress())) {
            RangeRequest r = new RangeRequest(4, "7", 101, 9_000, 7, 1 << 20, 4096, new int[] {2, 1});
            c.send(r);
            List<double[]> rows = readRows(c, r, 1 << 20);

            assertThat(rows).hasSize((9_000 - 101 + 6) / 7);
            assertRowsAreTheCsv(rows, "7", 101, 7, new int[] {2, 1});
        }
    }

    @Test
    void serverStopsAtItsCreditAndGoesOnAfterWindow() throws Exception {
        try (RawConnection c = RawConnection.handshaken(server.localAddress())) {
            int chunk = 4096;
            RangeRequest r = new RangeRequest(5, RECORD, 0, 15_000, 1, 2 * chunk, chunk, new int[] {1, 2});
            c.send(r);
            ChunkReply first = (ChunkReply) c.receive();
            ChunkReply second = (ChunkReply) c.receive();
            // With the credit spent, a PING's PONG is the next frame: no chunk is on its way.
            c.send(new Ping(6, 42));
            Reply next = c.receive();
            assertThat(next).isInstanceOf(Pong.class);
            assertThat(first.offsetBytes() + second.offsetBytes()).isEqualTo(chunk);
            first.release();
            second.release();

            c.send(new WindowUpdate(5, Integer.MAX_VALUE - 2 * chunk));
            long rest = 15_000L * 16 - 2 * chunk;
            long got = 0;
            ChunkReply last;
            do {
                last = (ChunkReply) c.receive();
                got += last.data().readableBytes();
                last.release();
            } while (!last.end());
            assertThat(got).isEqualTo(rest);
        }
    }

    @Test
    void anEmptyRangeIsOneEmptyEnd() throws Exception {
        try (RawConnection c = RawConnection.handshaken(server.localAddress())) {
            c.send(new RangeRequest(7, RECORD, 500, 500, 1, 4096, 4096, new int[] {1}));
            ChunkReply end = (ChunkReply) c.receive();

            assertThat(end.end()).isTrue();
            assertThat(end.last()).isTrue();
            assertThat(end.lengthBytes()).isZero();
            WellBehavedClient.assertServed(c, 8);
        }
    }

    @Test
    void badRangesGetTypedErrorsAndTheConnectionGoesOn() throws Exception {
        int[] both = {1, 2};
        Object[][] cases = {
                {new RangeRequest(10, "99", 0, 10, 1, 4096, 4096, both), ErrorCode.UNKNOWN_RECORD},
                {new RangeRequest(11, RECORD, 0, 10, 1, 4096, 4096, new int[] {3}), ErrorCode.UNKNOWN_CHANNEL},
                {new RangeRequest(12, RECORD, 0, 10, 1, 4096, 4096, new int[] {0}), ErrorCode.UNKNOWN_CHANNEL},
                {new RangeRequest(13, RECORD, 0, 10, 1, 4096, 4096, new int[] {2, 2}), ErrorCode.MALFORMED_REQUEST},
                {new RangeRequest(14, RECORD, 10, 5, 1, 4096, 4096, both), ErrorCode.BAD_RANGE},
                {new RangeRequest(15, RECORD, 0, 15_001, 1, 4096, 4096, both), ErrorCode.TIME_OUT_OF_RANGE},
                {new RangeRequest(16, RECORD, 15_001, 15_001, 1, 4096, 4096, both), ErrorCode.TIME_OUT_OF_RANGE},
                {new RangeRequest(17, RECORD, 0, 10, 0, 4096, 4096, both), ErrorCode.MALFORMED_REQUEST},
                {new RangeRequest(18, RECORD, 0, 10, 1, 4100, 4100, new int[] {1}), ErrorCode.MALFORMED_REQUEST},
                {new RangeRequest(19, RECORD, 0, 10, 1, 4096, 4088, new int[] {1}), ErrorCode.MALFORMED_REQUEST},
                {new RangeRequest(20, RECORD, 0, 10, 1, 4096, 8192, new int[] {1}), ErrorCode.MALFORMED_REQUEST},
                {new RangeRequest(21, RECORD, 0, 10, 1, 4 << 20, 2 << 20, new int[] {1}), ErrorCode.CHUNK_TOO_LARGE},
        };
        try (RawConnection c = RawConnection.handshaken(server.localAddress())) {
            for (Object[] k : cases) {
                RangeRequest r = (RangeRequest) k[0];
                c.send(r);
                Reply reply = c.receive();
                assertThat(reply).as("answer to %s", r.requestId()).isInstanceOf(ErrorReply.class);
                assertThat(((ErrorReply) reply).code()).as("code for request %s", r.requestId()).isEqualTo(k[1]);
                assertThat(reply.requestId()).isEqualTo(r.requestId());
            }
            WellBehavedClient.assertServed(c, 30);
        }
        WellBehavedClient.assertServedWithinASecond(server.localAddress());
    }

    @Test
    void envelopeIsTheMinMaxFirstLastOfEachBucketOfTheCsv() throws Exception {
        try (RawConnection c = RawConnection.handshaken(server.localAddress())) {
            long from = 123;
            long to = 14_321;
            int buckets = 97;
            int[] channels = {2, 1};
            c.send(new EnvelopeRequest(40, "11", from, to, buckets, channels));
            EnvelopeReply e = (EnvelopeReply) c.receive();

            assertThat(e.bucketCount()).isEqualTo(buckets);
            assertThat(e.channelCount()).isEqualTo(2);
            long n = to - from;
            for (int ch = 0; ch < channels.length; ch++) {
                for (int b = 0; b < buckets; b++) {
                    int start = (int) (from + b * n / buckets);
                    int end = (int) (from + (b + 1) * n / buckets);
                    double min = Double.POSITIVE_INFINITY;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int i = start; i < end; i++) {
                        min = Math.min(min, truth.value("11", i, channels[ch]));
                        max = Math.max(max, truth.value("11", i, channels[ch]));
                    }
                    assertThat(e.value(ch, b, EnvelopeReply.MIN)).as("min %d/%d", ch, b).isEqualTo(min);
                    assertThat(e.value(ch, b, EnvelopeReply.MAX)).as("max %d/%d", ch, b).isEqualTo(max);
                    assertThat(e.value(ch, b, EnvelopeReply.FIRST))
                            .isEqualTo(truth.value("11", start, channels[ch]));
                    assertThat(e.value(ch, b, EnvelopeReply.LAST))
                            .isEqualTo(truth.value("11", end - 1, channels[ch]));
                }
            }
        }
    }

    @Test
    void envelopeOfAShortRangeHasABucketPerSampleAndHugeBucketCountsAreRefused() throws Exception {
        try (RawConnection c = RawConnection.handshaken(server.localAddress())) {
            c.send(new EnvelopeRequest(41, RECORD, 10, 13, 1000, new int[] {1}));
            EnvelopeReply shortRange = (EnvelopeReply) c.receive();
            assertThat(shortRange.bucketCount()).isEqualTo(3);
            for (int b = 0; b < 3; b++) {
                assertThat(shortRange.value(0, b, EnvelopeReply.MIN)).isEqualTo(truth.value(RECORD, 10 + b, 1));
            }

            c.send(new EnvelopeRequest(42, RECORD, 0, 15_000, 10_001, new int[] {1}));
            assertThat(((ErrorReply) c.receive()).code()).isEqualTo(ErrorCode.TOO_MANY_BUCKETS);
            c.send(new EnvelopeRequest(43, RECORD, 0, 15_000, -1, new int[] {1}));
            assertThat(((ErrorReply) c.receive()).code()).isEqualTo(ErrorCode.TOO_MANY_BUCKETS);
            c.send(new EnvelopeRequest(44, RECORD, 0, 15_000, 0, new int[] {1}));
            assertThat(((ErrorReply) c.receive()).code()).isEqualTo(ErrorCode.MALFORMED_REQUEST);
            c.send(new EnvelopeRequest(45, RECORD, 9, 3, 10, new int[] {1}));
            assertThat(((ErrorReply) c.receive()).code()).isEqualTo(ErrorCode.BAD_RANGE);
            c.send(new EnvelopeRequest(46, RECORD, 0, 20_000, 10, new int[] {1}));
            assertThat(((ErrorReply) c.receive()).code()).isEqualTo(ErrorCode.TIME_OUT_OF_RANGE);
            WellBehavedClient.assertServed(c, 47);
        }
    }

    /**
     * A client that asks for a long range with an unbounded window and never reads: the server stops at its queue
     * bound (the stream is far longer than socket buffers and the queue together), goes on serving others, and the
     * write timeout cuts the stalled client off.
     */
    @Test
    void aClientThatNeverReadsALongRangeIsCutOffWhileOthersAreServed(@TempDir Path data) throws Exception {
        int samples = 3_000_000; // 24 MB of rows on one channel
        try (Writer w = Files.newBufferedWriter(data.resolve("long.csv"), StandardCharsets.US_ASCII)) {
            for (int i = 0; i < samples; i++) {
                w.write(i + "," + (i % 1000) + "\n");
            }
        }
        ServerConfig config = ServerConfig.of(new InetSocketAddress("127.0.0.1", 0), data, data).toBuilder()
                .writeTimeoutMillis(500).build();
        try (CourierServer s = CourierServer.start(config);
             RawConnection stalled = RawConnection.handshaken(s.localAddress(), 4096)) {
            stalled.send(new RangeRequest(1, "long", 0, samples, 1, Integer.MAX_VALUE, 1 << 20, new int[] {1}));

            try (RawConnection other = RawConnection.handshaken(s.localAddress())) {
                RangeRequest r = new RangeRequest(2, "long", 0, 10_000, 1, 1 << 20, 4096, new int[] {1});
                other.send(r);
                List<double[]> rows = readRows(other, r, 1 << 20);
                assertThat(rows).hasSize(10_000);
                assertThat(rows.get(9_999)[0]).isEqualTo(999.0);
            }
            boolean closed = stalled.closedByServer();
            while (!closed) {
                closed = stalled.closedByServer();
            }
        }
    }
}
