package dev.courier.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.courier.client.ClientConfig;
import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.protocol.ErrorCode;
import dev.courier.client.DownloadOptions;
import dev.courier.client.DownloadProgress;
import dev.courier.client.DownloadResult;
import dev.courier.client.Downloader;
import dev.courier.client.Point;
import dev.courier.client.SampleBlock;
import dev.courier.client.SampleStream;
import dev.courier.client.Uploader;
import dev.courier.protocol.Message;
import dev.courier.protocol.MessageWriter;
import dev.courier.protocol.PointReply;
import dev.courier.protocol.PointRequest;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.TestFiles;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} of a real {@code courier serve --metrics} process, scraped with the JDK's HTTP client after real
 * traffic: the request counters by type and outcome, the latency histogram's counts, the connections and the bytes
 * equal what this test did; the JVM and Netty meters are there. The bytes by kind equal the sizes of a known
 * download, range, points and upload, and on the legacy port those of its DATA requests, values and FILE chunks,
 * adding up to what its client's socket carried; the chunks re-fetched after a bad CRC32C (a proxy damages them on
 * the way) are exactly the chunks damaged.
 */
class MetricsProcessTest {
    private static final int POINTS = 120;
    private static final int UNKNOWN_RECORD_POINTS = 3;
    private static final int PINGS = 7;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private String scrape(int port) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        return r.body();
    }

    /** The value of the one sample {@code series} (name and labels, as Prometheus prints them); fails if absent. */
    private static double value(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        assertThat(m.find()).as(series + " in\n" + text).isTrue();
        return Double.parseDouble(m.group(1));
    }


    /** The bytes of {@code message} as a frame on the wire, from the codec rather than from the server. */
    private static long frameBytes(Message message) {
        ByteBuf out = Unpooled.buffer();
        try {
            MessageWriter.write(message, out);
            return out.readableBytes();
        } finally {
            out.release();
        }
    }

    /** The series of {@code port}'s bytes of one kind in one direction ({@code sent} or {@code received}). */
    private static String bytes(String port, String direction, String kind) {
        return "courier_bytes_" + direction + "_total{kind=\"" + kind + "\",port=\"" + port + "\"}";
    }

    @Test
    void bytesByKindAfterADownloadARangePointsAndAnUploadAreTheirSizes(@TempDir Path files, @TempDir Path uploads,
                                                                      @TempDir Path dest) throws Exception {
        long downloadBytes = (3L << 20) + 12345;
        long uploadBytes = (2L << 20) + 777;
        TestFiles.random(files.resolve("down.bin"), downloadBytes, 15);
        Path local = TestFiles.random(dest.resolve("up.bin"), uploadBytes, 16);
        CsvTruth truth = CsvTruth.load();
        try (CourierProcess server = CourierProcess.server("--port", "0", "--data", CsvTruth.dataDir().toString(),
                "--files", files.toString(), "--upload-dir", uploads.toString(), "--metrics", "0")) {
            int port = ProcessFaultsTest.portOf(server);
            int ops = server.operationsPort();
            String before = scrape(ops);
            for (String kind : List.of("file", "samples")) {
                assertThat(value(before, bytes("courier", "sent", kind))).isZero();
                assertThat(value(before, bytes("courier", "received", kind))).isZero();
            }
            long pointRequestBytes = 0;
            long pointReplyBytes = 0;
            long rangeReplyBytes;
            int rows = 1000;
            int[] channels = {1, 2};
            try (CourierClient client = new CourierClient(ClientConfig.of("127.0.0.1", port))) {
                Connection c = client.connect().get(10, TimeUnit.SECONDS);
                for (int i = 0; i < 10; i++) {
                    String record = i % 2 == 0 ? "1" : "12";
                    Point p = c.point(record, i * 0.004, 1).get(10, TimeUnit.SECONDS);
                    assertThat(p.value()).isEqualTo(truth.value(record, i, 1));
                    pointRequestBytes += frameBytes(new PointRequest(1, record, i * 0.004, 1));
                    pointReplyBytes += frameBytes(new PointReply(1, p.value(), 0, 0));
                }
                int got = 0;
                int blocks = 0;
                try (SampleStream range = c.range("3", 0, rows, 1, channels)) {
                    for (SampleBlock b = range.next(); b != null; b = range.next()) {
                        got += b.rows();
                        blocks++;
                    }
                }
                // The bundled records are i16 decimals, so the client's default SCALED range comes as i16 values,
                // each chunk (one block) with a digits byte per channel in front.
                rangeReplyBytes = (long) blocks * channels.length + (long) rows * channels.length * Short.BYTES;
                assertThat(got).isEqualTo(rows);
                new Downloader(client, DownloadOptions.defaults(), DownloadProgress.NONE)
                        .download("down.bin", dest.resolve("down.bin"));
                new Uploader(client, DownloadOptions.defaults(), DownloadProgress.NONE).upload(local, "up.bin");
            }
            assertThat(Files.size(dest.resolve("down.bin"))).isEqualTo(downloadBytes);
            assertThat(Files.size(uploads.resolve("up.bin"))).isEqualTo(uploadBytes);

            String after = scrape(ops);
            assertThat(value(after, bytes("courier", "sent", "file"))).isEqualTo(downloadBytes);
            assertThat(value(after, bytes("courier", "received", "file"))).isEqualTo(uploadBytes);
            assertThat(value(after, bytes("courier", "sent", "samples")))
                    .isEqualTo(pointReplyBytes + rangeReplyBytes);
            assertThat(value(after, bytes("courier", "received", "samples"))).isEqualTo(pointRequestBytes);
            assertThat(value(after, bytes("courier", "sent", "control"))).isPositive();
            assertThat(value(after, bytes("courier", "received", "control"))).isPositive();
            assertThat(value(after, "courier_chunks_refetched_total")).as("nothing was damaged").isZero();
        }
    }

    @Test
    void legacyBytesByKindAreItsDataRequestsAndValuesAndItsChunksAndAddUpToTheSocketsBytes(@TempDir Path files)
            throws Exception {
        long fileBytes = (2L << 20) + 4321;
        byte[] content = Files.readAllBytes(TestFiles.random(files.resolve("legacy.bin"), fileBytes, 18));
        CsvTruth truth = CsvTruth.load();
        try (CourierProcess server = CourierProcess.server("--port", "0", "--legacy-port", "0", "--data",
                CsvTruth.dataDir().toString(), "--files", files.toString(), "--metrics", "0")) {
            int ops = server.operationsPort();
            String before = scrape(ops);
            for (String direction : List.of("sent", "received")) {
                for (String kind : List.of("file", "samples", "control")) {
                    assertThat(value(before, bytes("legacy", direction, kind))).isZero();
                }
            }
            long dataRequestBytes = 0;
            long valueReplyBytes = 0;
            long chunkReplyBytes = 0;
            long controlRequestBytes = 0;
            try (LegacySocket legacy = new LegacySocket(new InetSocketAddress("127.0.0.1", server.legacyPort()), 0)) {
                for (int i = 0; i < 12; i++) {
                    int person = 1 + i % 15;
                    byte[] data = LegacySocket.data(person, i * 0.004, 1);
                    legacy.send(data);
                    assertThat(legacy.readDouble()).isEqualTo(truth.value(String.valueOf(person), i, 1));
                    dataRequestBytes += data.length;
                    valueReplyBytes += Double.BYTES;
                }
                byte[] size = LegacySocket.file(0, 0, "legacy.bin");
                legacy.send(size);
                assertThat(legacy.readLong()).isEqualTo(fileBytes);
                controlRequestBytes += size.length;
                // A chunk too big for the event loop (sent zero-copy), then a small one (read there into a buffer).
                int[][] chunks = {{(1 << 20) + 3, (1 << 20) + 77}, {4000, 5000}};
                for (int[] chunk : chunks) {
                    int offset = chunk[0];
                    int length = chunk[1];
                    byte[] request = LegacySocket.file(offset, length, "legacy.bin");
                    legacy.send(request);
                    assertThat(legacy.read(length)).isEqualTo(Arrays.copyOfRange(content, offset, offset + length));
                    controlRequestBytes += request.length;
                    chunkReplyBytes += length;
                }
                byte[] unknown = LegacySocket.type(7);
                legacy.send(unknown);
                assertThat(legacy.read(1)).containsExactly((byte) 0);
                controlRequestBytes += unknown.length;
                byte[] quit = LegacySocket.type(LegacySocket.QUIT);
                legacy.send(quit);
                controlRequestBytes += quit.length;
                // Closed by the server once it has read the QUIT: every byte of this connection is counted.
                assertThat(legacy.endsWithin(10_000)).isTrue();

                String after = scrape(ops);
                assertThat(value(after, bytes("legacy", "received", "samples"))).isEqualTo(dataRequestBytes);
                assertThat(value(after, bytes("legacy", "received", "file"))).isZero();
                assertThat(value(after, bytes("legacy", "received", "control"))).isEqualTo(controlRequestBytes)
                        .isPositive();
                assertThat(value(after, bytes("legacy", "sent", "samples"))).isEqualTo(valueReplyBytes);
                assertThat(value(after, bytes("legacy", "sent", "file"))).isEqualTo(chunkReplyBytes);
                // The size reply (an i64) and the unknown type's one byte.
                assertThat(value(after, bytes("legacy", "sent", "control"))).isEqualTo(Long.BYTES + 1);
                assertThat(sum(after, "legacy", "received")).as("the kinds add up to what the client wrote")
                        .isEqualTo(legacy.sentBytes());
                assertThat(sum(after, "legacy", "sent")).as("the kinds add up to what the client read")
                        .isEqualTo(legacy.receivedBytes());
                for (String kind : List.of("file", "samples")) {
                    assertThat(value(after, bytes("courier", "sent", kind))).as("the other port's").isZero();
                    assertThat(value(after, bytes("courier", "received", kind))).as("the other port's").isZero();
                }
            }
        }
    }

    /** The bytes of every kind of {@code port} in one direction. */
    private static double sum(String text, String port, String direction) {
        double all = 0;
        for (String kind : List.of("file", "samples", "control")) {
            all += value(text, bytes(port, direction, kind));
        }
        return all;
    }

    @Test
    void chunksRefetchedAfterABadCrcAreCountedByTheServer(@TempDir Path files, @TempDir Path dest) throws Exception {
        long size = 24L << 20;
        TestFiles.random(files.resolve("big.bin"), size, 17);
        for (boolean stream : List.of(true, false)) {
            try (CourierProcess server = CourierProcess.server("--port", "0", "--files", files.toString(),
                    "--metrics", "0");
                 ChaosProxy proxy = new ChaosProxy(new InetSocketAddress("127.0.0.1",
                         ProcessFaultsTest.portOf(server)), 5);
                 CourierClient client = new CourierClient(ClientConfig.of("127.0.0.1", proxy.port()))) {
                int ops = server.operationsPort();
                DownloadOptions options = DownloadOptions.defaults().withChunkBytes(256 << 10).withStream(stream);
                Path to = dest.resolve(stream + ".bin");
                DownloadResult r = new Downloader(client, options, DownloadProgress.NONE).download("big.bin", to);
                assertThat(TestFiles.sha256(r.path())).isEqualTo(TestFiles.sha256(files.resolve("big.bin")));
                assertThat(proxy.corrupted.get()).as("chunks damaged on the way").isGreaterThan(3);

                String after = scrape(ops);
                assertThat(value(after, "courier_chunks_refetched_total")).as("streams: " + stream)
                        .isEqualTo(proxy.corrupted.get());
                assertThat(value(after, "courier_chunks_refetched_bytes_total")).as("streams: " + stream)
                        .isEqualTo(proxy.corruptedBytes.get());
                assertThat(value(after, bytes("courier", "sent", "file"))).isEqualTo(size + proxy.corruptedBytes.get());
            }
        }
    }

    @Test
    void countersAfterRealTrafficEqualWhatTheClientsDid() throws Exception {
        CsvTruth truth = CsvTruth.load();
        try (CourierProcess server = CourierProcess.server("--port", "0", "--data", CsvTruth.dataDir().toString(),
                "--metrics", "0")) {
            int port = ProcessFaultsTest.portOf(server);
            int ops = server.operationsPort();
            String before = scrape(ops);
            assertThat(value(before, "courier_connections_open{port=\"courier\"}")).isZero();
            assertThat(value(before, "courier_connections_accepted_total{port=\"courier\"}")).isZero();

            ErrorCode unknown;
            try (CourierClient client = new CourierClient(ClientConfig.of("127.0.0.1", port))) {
                Connection a = client.connect().get(10, TimeUnit.SECONDS);
                Connection b = client.connect().get(10, TimeUnit.SECONDS);
                for (int i = 0; i < POINTS; i++) {
                    Connection c = i % 2 == 0 ? a : b;
                    String record = String.valueOf(1 + i % 15);
                    assertThat(c.point(record, i * 0.004, 1).get(10, TimeUnit.SECONDS).value())
                            .isEqualTo(truth.value(record, i, 1));
                }
                ErrorCode seen = null;
                for (int i = 0; i < UNKNOWN_RECORD_POINTS; i++) {
                    Throwable e = catchThrowable(() -> a.point("no-such-record", 0, 1).get(10, TimeUnit.SECONDS));
                    assertThat(e).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(CourierException.class);
                    seen = ((CourierException) e.getCause()).code();
                }
                unknown = seen;
                for (int i = 0; i < PINGS; i++) {
                    assertThat(b.ping(i).get(10, TimeUnit.SECONDS)).isEqualTo(i);
                }

                String after = scrape(ops);
                assertThat(value(after, "courier_requests_total{outcome=\"ok\",type=\"point\"}")).isEqualTo(POINTS);
                assertThat(value(after, "courier_requests_total{outcome=\""
                        + unknown.name().toLowerCase(Locale.ROOT) + "\",type=\"point\"}"))
                        .isEqualTo(UNKNOWN_RECORD_POINTS);
                assertThat(value(after, "courier_requests_total{outcome=\"ok\",type=\"ping\"}")).isEqualTo(PINGS);
                assertThat(value(after, "courier_request_duration_seconds_count{type=\"point\"}"))
                        .isEqualTo(POINTS + UNKNOWN_RECORD_POINTS);
                assertThat(value(after, "courier_request_duration_seconds_sum{type=\"point\"}")).isPositive();
                assertThat(value(after, "courier_connections_accepted_total{port=\"courier\"}")).isEqualTo(2);
                assertThat(value(after, "courier_connections_open{port=\"courier\"}")).isEqualTo(2);
                assertThat(value(after, "courier_connections_rejected_total{reason=\"max_connections\"}")).isZero();
                assertThat(value(after, "courier_bytes_received_total{kind=\"control\",port=\"courier\"}"))
                        .isPositive();
                assertThat(value(after, "courier_bytes_sent_total{kind=\"control\",port=\"courier\"}")).isPositive();
                assertThat(value(after, "courier_event_loop_pending_tasks")).isNotNegative();
                assertThat(after).contains("\njvm_memory_used_bytes{").contains("\njvm_threads_live_threads ")
                        .contains("\ncourier_netty_allocator_used_direct_bytes ");
                assertThat(after).as("no label value from what a client sent").doesNotContain("no-such-record");
                assertThatThrownBy(() -> value(after, "courier_requests_total{outcome=\"ok\",type=\"hello\"}"))
                        .as("the handshake is not a request").isInstanceOf(AssertionError.class);
            }
        }
    }
}
