package dev.courier.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Message;
import dev.courier.protocol.Sha256;
import dev.courier.protocol.UploadAck;
import dev.courier.protocol.UploadBegin;
import dev.courier.protocol.UploadReady;
import dev.courier.protocol.UploadWrite;
import dev.courier.server.ServerConfig;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.WellBehavedClient;
import dev.courier.server.testing.OpenFiles;
import dev.courier.server.testing.RawConnection;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pattern that took a server to its file limit in 11 s (312 connections that each begin 32 uploads and leave),
 * at a scale that fits a test, against a server in its own process whose descriptors are counted in
 * {@code /proc/PID/fd}: the descriptors stay bounded by the caps while the connections are there, and go once
 * they have left or gone quiet.
 */
class UploadDescriptorsTest {
    private static final int CONNECTIONS = 24;
    private static final int BEGINS_PER_CONNECTION = 32;
    private static final int WRITE_BYTES = FrameDescriptor.MIN_UPLOAD_WRITE_BYTES;

    @TempDir
    Path uploads;

    @Test
    void connectionsThatBeginManyUploadsAndLeaveOrFallSilentHoldABoundedNumberOfDescriptors() throws Exception {
        try (CourierProcess server = CourierProcess.server("--port", "0", "--data", CsvTruth.dataDir().toString(),
                "--upload-dir", uploads.toString(), "--upload-min-free-bytes", "0", "--upload-idle-close-ms", "500")) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", ProcessFaultsTest.portOf(server));
            long pid = server.pid();
            int baseline = OpenFiles.all(pid);
            byte[] data = new byte[WRITE_BYTES];
            CRC32C crc = new CRC32C();
            crc.update(data);
            List<RawConnection> connections = new ArrayList<>();
            List<Integer> readyPerConnection = new ArrayList<>();
            try {
                for (int c = 0; c < CONNECTIONS; c++) {
                    RawConnection conn = RawConnection.handshaken(address);
                    connections.add(conn);
                    for (int i = 0; i < BEGINS_PER_CONNECTION; i++) {
                        conn.send(new UploadBegin(i, "c" + c + "/u" + i + ".bin", 4L * WRITE_BYTES,
                                new Sha256(new byte[32])));
                    }
                    List<UploadReady> ready = new ArrayList<>();
                    for (int i = 0; i < BEGINS_PER_CONNECTION; i++) {
                        Message m = conn.receive();
                        if (m instanceof UploadReady r) {
                            ready.add(r);
                        } else {
                            assertThat(((ErrorReply) m).code()).isEqualTo(ErrorCode.TOO_MANY_UPLOADS);
                        }
                    }
                    readyPerConnection.add(ready.size());
                    for (UploadReady r : ready) {
                        conn.send(new UploadWrite(1000, r.uploadId(), 0, (int) crc.getValue(),
                                Unpooled.wrappedBuffer(data)));
                        assertThat(conn.receive()).isInstanceOf(UploadAck.class);
                    }
                }
                int held = OpenFiles.under(pid, uploads);
                assertThat(held).as("two per upload at most, and uploads capped per connection")
                        .isLessThanOrEqualTo(2 * CONNECTIONS * ServerConfig.DEFAULT_MAX_UPLOADS_PER_CONNECTION);
                assertThat(readyPerConnection).as("uploads each connection got")
                        .containsOnly(ServerConfig.DEFAULT_MAX_UPLOADS_PER_CONNECTION);
                WellBehavedClient.assertUploadServed(address);

                // Half leave; the other half stay connected and say nothing more.
                for (int c = 0; c < CONNECTIONS / 2; c++) {
                    connections.get(c).close();
                }
                assertThat(OpenFiles.awaitUnder(pid, uploads, n -> n == 0, 10_000))
                        .as("descriptors of uploads whose connection left or fell idle").isZero();
                WellBehavedClient.assertUploadServed(address);
                int sockets = CONNECTIONS - CONNECTIONS / 2;
                assertThat(OpenFiles.all(pid)).as("the process's descriptors, %d before", baseline)
                        .isLessThanOrEqualTo(baseline + sockets + 8);
            } finally {
                for (RawConnection c : connections) {
                    c.close();
                }
            }
        }
    }
}
