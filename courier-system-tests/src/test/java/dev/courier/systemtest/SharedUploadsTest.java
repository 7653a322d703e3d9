package dev.courier.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.client.ClientConfig;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.client.DownloadOptions;
import dev.courier.client.DownloadProgress;
import dev.courier.client.UploadResult;
import dev.courier.client.Uploader;
import dev.courier.client.internal.Dialer;
import dev.courier.client.internal.WireConnection;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Sha256;
import dev.courier.protocol.UploadReady;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.TestFiles;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real server processes on one upload directory with --shared-uploads: an upload begun through one cannot be
 * begun through the other while the first holds its lease, and after the first is SIGKILLed its lease expires and
 * the upload resumes through the second, from its journal.
 */
class SharedUploadsTest {
    static final long LEASE_MILLIS = 3_000;
    static final int HELD_BYTES = 4 << 20;

    @TempDir
    Path uploads;
    @TempDir
    Path local;

    CourierProcess node(String id) throws Exception {
        return CourierProcess.server("--port", "0", "--data", CsvTruth.dataDir().toString(), "--upload-dir",
                uploads.toString(), "--upload-min-free-bytes", "0", "--shared-uploads", "--node-id", id,
                "--upload-lease-ms", String.valueOf(LEASE_MILLIS));
    }

    static ClientConfig at(CourierProcess node) {
        return ClientConfig.of("127.0.0.1", ProcessFaultsTest.portOf(node));
    }

    @Test
    void theSecondNodeRefusesANameTheFirstHoldsAndResumesItOnceTheKilledFirstsLeaseExpires() throws Exception {
        Path file = TestFiles.random(local.resolve("s.bin"), 12 << 20, 17);
        Sha256 sha = Sha256.ofHex(TestFiles.sha256(file));
        byte[] all = Files.readAllBytes(file);
        Path lock = uploads.resolve("s.bin.courier-part.lock");
        try (CourierProcess a = node("node-a"); CourierProcess b = node("node-b");
             Dialer toA = new Dialer(at(a)); Dialer toB = new Dialer(at(b))) {
            WireConnection holder = toA.open();
            UploadReady ready = holder.uploadBegin("s.bin", all.length, sha).join();
            for (int off = 0; off < HELD_BYTES; off += 1 << 20) {
                ByteBuf chunk = Unpooled.wrappedBuffer(all, off, 1 << 20);
                holder.uploadWrite(ready.uploadId(), off, crc(all, off, 1 << 20), chunk).join();
            }
            assertThat(Files.readString(lock)).contains("node node-a").contains("pid " + a.pid());

            try (WireConnection other = toB.open()) {
                assertThatThrownBy(() -> other.uploadBegin("s.bin", all.length, sha).join())
                        .isInstanceOf(CompletionException.class).cause()
                        .isInstanceOf(CourierException.class)
                        .satisfies(e -> assertThat(((CourierException) e).code()).isEqualTo(ErrorCode.UPLOAD_CONFLICT))
                        .hasMessageContaining("node-a");
                assertThat(other.ping(7).join()).as("node b serves on").isEqualTo(7);
            }

            a.kill();
            long leaseUntil = leaseUntilMillis(lock);
            try (WireConnection early = toB.open()) {
                if (System.currentTimeMillis() < leaseUntil - 500) { // still well within the dead node's lease
                    assertThatThrownBy(() -> early.uploadBegin("s.bin", all.length, sha).join())
                            .cause().isInstanceOf(CourierException.class).hasMessageContaining("node-a");
                }
            }
            // The lease is a time: waiting for it is waiting for the event itself.
            Thread.sleep(Math.max(0, leaseUntil - System.currentTimeMillis() + 100));

            try (CourierClient client = new CourierClient(at(b))) {
                UploadResult r = new Uploader(client, DownloadOptions.defaults(), DownloadProgress.NONE)
                        .upload(file, "s.bin");
                assertThat(r.resumedBytes()).as("resumed from the killed node's journal").isEqualTo(HELD_BYTES);
                assertThat(r.sentBytes()).isEqualTo(all.length - HELD_BYTES);
            }
            assertThat(Files.mismatch(file, uploads.resolve("s.bin"))).isEqualTo(-1);
            assertThat(lock).as("let go of after the commit").doesNotExist();
        }
    }

    private static long leaseUntilMillis(Path lock) throws Exception {
        for (String line : Files.readAllLines(lock)) {
            if (line.startsWith("lease-until-ms ")) {
                return Long.parseLong(line.substring("lease-until-ms ".length()));
            }
        }
        throw new AssertionError("no lease in " + Files.readString(lock));
    }

    private static int crc(byte[] all, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(all, off, len);
        return (int) c.getValue();
    }
}
