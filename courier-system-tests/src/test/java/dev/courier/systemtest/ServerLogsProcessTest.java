package dev.courier.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.courier.client.ClientConfig;
import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.client.DownloadOptions;
import dev.courier.client.Downloader;
import dev.courier.client.DownloadProgress;
import dev.courier.client.Uploader;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Sha256;
import dev.courier.protocol.UploadAck;
import dev.courier.protocol.UploadBegin;
import dev.courier.protocol.UploadCommit;
import dev.courier.protocol.UploadReady;
import dev.courier.protocol.UploadWrite;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.RawConnection;
import dev.courier.server.testing.TestFiles;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.util.Random;
import java.util.zip.CRC32C;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The logs of a real {@code courier serve} process, as an operator reads them: with {@code --log-format json} every
 * line on stderr is a JSON object (parsed here with Jackson), the access log writes one line per connection closed
 * (with the requests, errors and bytes this test made) and one per file transfer (name, bytes, outcome), and a
 * connection closed for bad input, on the main and on the legacy port, is a WARN naming the peer and the reason.
 * In text, the same lines carry an ISO date with its zone, and {@code courier.access=off} silences the access log.
 * Every upload has its transfer line too: committed, failed with the code its COMMIT got, or abandoned.
 */
class ServerLogsProcessTest {
    private final ObjectMapper json = new ObjectMapper();

    /** The key-value pairs of a JsonEncoder line: its {@code kvpList} is an array of one-entry objects. */
    private static Map<String, String> pairs(JsonNode line) {
        Map<String, String> kv = new HashMap<>();
        for (JsonNode entry : line.path("kvpList")) {
            entry.properties().forEach(e -> kv.put(e.getKey(), e.getValue().asText()));
        }
        return kv;
    }

    private JsonNode parse(String stderrLine) throws Exception {
        return json.readTree(stderrLine.substring("err: ".length()));
    }

    private static void sendGarbage(int port) throws Exception {
        send(port, "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    /** Sends {@code bytes}, shuts the output down, and reads until the server closes. */
    private static void send(int port, byte[] bytes) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            OutputStream out = s.getOutputStream();
            out.write(bytes);
            out.flush();
            s.shutdownOutput();
            // The server closes: read until it does.
            s.setSoTimeout(10_000);
            while (s.getInputStream().read() >= 0) {
                // drain
            }
        }
    }

    @Test
    void jsonLinesCarryTheAccessLogTransfersAndBadInputWarnings(@TempDir Path dest) throws Exception {
        Path dataDir = CsvTruth.dataDir();
        long csvBytes = Files.size(dataDir.resolve("1.csv"));
        try (CourierProcess server = CourierProcess.productionServer("--port", "0", "--data", dataDir.toString(),
                "--legacy-port", "0", "--log-format", "json", "--log-level", "info")) {
            int port = ProcessFaultsTest.portOf(server);
            try (CourierClient client = new CourierClient(ClientConfig.of("127.0.0.1", port))) {
                Connection c = client.connect().get(10, TimeUnit.SECONDS);
                c.point("1", 0, 1).get(10, TimeUnit.SECONDS);
                c.point("2", 0.004, 2).get(10, TimeUnit.SECONDS);
                assertThat(catchThrowable(() -> c.point("nope", 0, 1).get(10, TimeUnit.SECONDS))).isNotNull();
                c.close();
                String closed = server.awaitLine(l -> l.contains("\"connection closed\"")
                        && l.contains("\"requests\""), 30);
                JsonNode line = parse(closed);
                assertThat(line.path("level").asText()).isEqualTo("INFO");
                assertThat(line.path("loggerName").asText()).isEqualTo("courier.access");
                assertThat(line.path("timestamp").asLong()).isPositive();
                Map<String, String> kv = pairs(line);
                assertThat(kv).containsEntry("port", "courier").containsEntry("requests", "3")
                        .containsEntry("errors", "1").containsEntry("close_reason", "closed by the client")
                        .containsKeys("peer", "duration_ms", "bytes_in", "bytes_out");
                assertThat(Long.parseLong(kv.get("bytes_in"))).isPositive();
                assertThat(Long.parseLong(kv.get("bytes_out"))).isPositive();

                new Downloader(client, DownloadOptions.defaults(), (done, total) -> { })
                        .download("1.csv", dest.resolve("1.csv"));
            }
            assertThat(Files.size(dest.resolve("1.csv"))).isEqualTo(csvBytes);

            // "GET " read as a frame's length is 0x47455420 bytes: far past the largest frame.
            sendGarbage(port);
            String warn = server.awaitLine(l -> l.contains("\"WARN\"") && l.contains("FRAME_TOO_LARGE"), 30);
            assertThat(parse(warn).path("formattedMessage").asText())
                    .startsWith("closing /127.0.0.1:").contains("FRAME_TOO_LARGE frame length " + 0x47455420);
            assertThat(pairs(parse(server.awaitLine(l -> l.contains("\"close_reason\":\"FRAME_TOO_LARGE\""), 30))))
                    .containsEntry("requests", "0");
            send(server.legacyPort(), new byte[3]); // the input ends inside a request's 4-byte type
            String legacyWarn = server.awaitLine(l -> l.contains("\"WARN\"") && l.contains("legacy connection"), 30);
            assertThat(parse(legacyWarn).path("formattedMessage").asText()).contains("127.0.0.1:");
            server.awaitLine(l -> l.contains("\"connection closed\"") && l.contains("\"legacy\""), 30);

            server.terminate();
            assertThat(server.waitFor(60)).isEqualTo(143);
            long transferred = 0;
            for (String l : server.output()) {
                if (!l.startsWith("err: {")) {
                    // The command's own messages to the terminal ("courier: stopped") are not log lines.
                    assertThat(l).as("every log line is JSON").matches("out: .*|err: courier: .*");
                    continue;
                }
                JsonNode node = parse(l);
                Map<String, String> kv = pairs(node);
                if (node.path("formattedMessage").asText().equals("transfer ended") && "1.csv".equals(kv.get("name"))) {
                    assertThat(kv).containsEntry("kind", "file").containsKeys("duration_ms", "peer");
                    if (kv.get("outcome").equals("ok")) {
                        transferred += Long.parseLong(kv.get("bytes"));
                    }
                }
            }
            assertThat(transferred).as("the transfers of 1.csv sent the file once").isEqualTo(csvBytes);
        }
    }

    /** The {@code transfer ended} line of kind upload for {@code name}, waited for. */
    private Map<String, String> uploadLine(CourierProcess server, String name) throws Exception {
        String line = server.awaitLine(l -> l.contains("\"transfer ended\"") && l.contains("\"upload\"")
                && l.contains("\"name\":\"" + name + "\""), 30);
        Map<String, String> kv = pairs(parse(line));
        assertThat(kv).containsEntry("kind", "upload").containsKeys("peer", "duration_ms");
        return kv;
    }

    /** UPLOAD_BEGIN of {@code size} bytes as {@code name}, then one write of {@code data}'s first {@code n} bytes. */
    private static UploadReady beginAndWrite(RawConnection c, String name, byte[] data, int n) throws Exception {
        c.send(new UploadBegin(1, name, data.length, new Sha256(MessageDigest.getInstance("SHA-256").digest(data))));
        UploadReady ready = (UploadReady) c.receive();
        CRC32C crc = new CRC32C();
        crc.update(data, 0, n);
        c.send(new UploadWrite(2, ready.uploadId(), 0, (int) crc.getValue(), Unpooled.wrappedBuffer(data, 0, n)));
        assertThat(c.receive()).isInstanceOf(UploadAck.class);
        return ready;
    }

    @Test
    void everyUploadHasATransferLineCommittedFailedOrAbandoned(@TempDir Path uploads, @TempDir Path local)
            throws Exception {
        long committedBytes = (1L << 20) + 4321;
        Path file = TestFiles.random(local.resolve("whole.bin"), committedBytes, 21);
        byte[] partial = new byte[3 * FrameDescriptor.MIN_UPLOAD_WRITE_BYTES];
        new Random(22).nextBytes(partial);
        int written = FrameDescriptor.MIN_UPLOAD_WRITE_BYTES;
        try (CourierProcess server = CourierProcess.productionServer("--port", "0", "--upload-dir", uploads.toString(),
                "--log-format", "json", "--log-level", "info")) {
            int port = ProcessFaultsTest.portOf(server);
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
            try (CourierClient client = new CourierClient(ClientConfig.of("127.0.0.1", port))) {
                new Uploader(client, DownloadOptions.defaults(), DownloadProgress.NONE).upload(file, "whole.bin");
            }
            Map<String, String> committed = uploadLine(server, "whole.bin");
            assertThat(committed).containsEntry("outcome", "committed")
                    .containsEntry("bytes", String.valueOf(committedBytes));

            ErrorCode refused;
            try (RawConnection c = RawConnection.handshaken(address)) {
                UploadReady ready = beginAndWrite(c, "early.bin", partial, written);
                c.send(new UploadCommit(3, ready.uploadId()));
                refused = ((ErrorReply) c.receive()).code(); // a COMMIT before every byte is there
            }
            assertThat(uploadLine(server, "early.bin")).containsEntry("outcome", refused.name())
                    .containsEntry("bytes", String.valueOf(written));

            try (RawConnection c = RawConnection.handshaken(address)) {
                beginAndWrite(c, "left.bin", partial, written);
            }
            assertThat(uploadLine(server, "left.bin")).containsEntry("outcome", "abandoned")
                    .containsEntry("bytes", String.valueOf(written));
        }
    }

    @Test
    void textLinesHaveTheDateAndZoneAndTheAccessLogCanBeTurnedOff() throws Exception {
        try (CourierProcess server = CourierProcess.productionServer("--port", "0", "--data", CsvTruth.dataDir().toString(),
                "--log-level", "info", "--log-level", "courier.access=off")) {
            int port = ProcessFaultsTest.portOf(server);
            sendGarbage(port);
            String warn = server.awaitLine(l -> l.contains("FRAME_TOO_LARGE"), 30);
            assertThat(warn).matches("err: \\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:\\d{2}) WARN .*");
            server.terminate();
            assertThat(server.waitFor(60)).isEqualTo(143);
            assertThat(String.join("\n", server.output())).doesNotContain("connection closed");
        }
    }

    @Test
    void aBadLogLevelOrFormatIsRefusedNamingTheOption() throws Exception {
        try (CourierProcess bad = CourierProcess.startProduction("serve", "--port", "0", "--log-level", "loud")) {
            assertThat(bad.waitFor(60)).isEqualTo(2);
            assertThat(String.join("\n", bad.output())).contains("--log-level: 'loud' is not a log level");
        }
        try (CourierProcess bad = CourierProcess.startProduction("serve", "--port", "0", "--log-format", "xml")) {
            assertThat(bad.waitFor(60)).isEqualTo(2);
            assertThat(String.join("\n", bad.output())).contains("--log-format must be text or json");
        }
    }
}
