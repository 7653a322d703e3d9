package dev.courier.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.client.Backoff;
import dev.courier.client.ClientConfig;
import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.client.DownloadOptions;
import dev.courier.client.DownloadProgress;
import dev.courier.client.UploadResult;
import dev.courier.client.Uploader;
import dev.courier.client.internal.Dialer;
import dev.courier.client.internal.VersionTag;
import dev.courier.client.internal.WireConnection;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Sha256;
import dev.courier.protocol.UploadReady;
import dev.courier.server.CourierServer;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.TestFiles;
import dev.courier.server.testing.TestServers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Uploads against real servers: round trip, refusals, conflicts, damage, resume, restarts and a full disk. */
class UploadTest {
    @TempDir
    Path uploads;
    @TempDir
    Path local;

    private CourierServer startWithUploads() throws Exception {
        return CourierServer.start(TestServers.withUploads(CsvTruth.dataDir(), uploads));
    }

    private static ClientConfig clientConfigOf(CourierServer s) {
        return ClientConfig.of("127.0.0.1", s.localAddress().getPort());
    }

    private static CourierClient clientOf(CourierServer s) {
        return new CourierClient(clientConfigOf(s));
    }

    private static Sha256 sha(Path p) throws Exception {
        return Sha256.ofHex(TestFiles.sha256(p));
    }

    private static ByteBuf bytes(Path file, long offset, int length) throws Exception {
        byte[] all = Files.readAllBytes(file);
        return Unpooled.wrappedBuffer(all, (int) offset, length);
    }

    private static int crc(ByteBuf b) {
        CRC32C c = new CRC32C();
        c.update(b.nioBuffer());
        return (int) c.getValue();
    }

    @Test
    void uploadArrivesWholeUnderItsFinalNameAndNothingElseIsLeft() throws Exception {
        Path file = TestFiles.random(local.resolve("up.bin"), (32 << 20) + 123, 1);
        try (CourierServer s = startWithUploads(); CourierClient c = clientOf(s)) {
            UploadResult r = new Uploader(c, DownloadOptions.defaults().withConnections(4), DownloadProgress.NONE)
                    .upload(file, "dir/up.bin");
            assertThat(r.sha256Hex()).isEqualTo(sha(file).hex());
            assertThat(Files.mismatch(file, uploads.resolve("dir/up.bin"))).isEqualTo(-1);
            try (var left = Files.list(uploads.resolve("dir"))) {
                assertThat(left).containsExactly(uploads.resolve("dir/up.bin"));
            }
        }
    }

    @Test
    void uploadsAreRefusedWhenOffAndNamesMayNotEscape() throws Exception {
        Path file = TestFiles.random(local.resolve("small.bin"), 1000, 2);
        Path outside = Files.createDirectories(local.resolve("outside"));
        Files.createSymbolicLink(uploads.resolve("link-out"), outside);
        try (CourierServer off = TestServers.start(); CourierClient c = clientOf(off)) {
            assertThatThrownBy(() -> new Uploader(c, DownloadOptions.defaults(), DownloadProgress.NONE)
                    .upload(file, "small.bin")).isInstanceOfSatisfying(CourierException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.UPLOADS_DISABLED));
        }
        try (CourierServer s = startWithUploads(); CourierClient c = clientOf(s)) {
            Uploader u = new Uploader(c, DownloadOptions.defaults(), DownloadProgress.NONE);
            for (String name : List.of("../x.bin", "a/../../x.bin", "/tmp/x.bin", "link-out/x.bin")) {
                assertThatThrownBy(() -> u.upload(file, name)).as(name).isInstanceOfSatisfying(
                        CourierException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.OUTSIDE_ROOT));
            }
            assertThatThrownBy(() -> u.upload(file, "x.courier-part")).isInstanceOfSatisfying(
                    CourierException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_REQUEST));
            try (var out = Files.list(outside)) {
                assertThat(out).isEmpty();
            }
            assertThat(u.upload(file, "fine.bin").sizeBytes()).isEqualTo(1000); // and the server still serves
        }
    }

    @Test
    void secondClientUploadingTheSameNameGetsAConflictAndBytesNeverMix() throws Exception {
        Path a = TestFiles.random(local.resolve("a.bin"), 3 << 20, 3);
        Path b = TestFiles.random(local.resolve("b.bin"), 3 << 20, 4);
        try (CourierServer s = startWithUploads(); CourierClient c = clientOf(s); Dialer raw = new Dialer(c.config());
             WireConnection holder = raw.open()) {
            UploadReady ready = holder.uploadBegin("same.bin", Files.size(a), sha(a)).join();
            ByteBuf first = bytes(a, 0, 1 << 20);
            holder.uploadWrite(ready.uploadId(), 0, crc(first), first).join();
            Uploader other = new Uploader(c, DownloadOptions.defaults(), DownloadProgress.NONE);
            assertThatThrownBy(() -> other.upload(b, "same.bin")).isInstanceOfSatisfying(CourierException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.UPLOAD_CONFLICT));
            for (long off = 1 << 20; off < Files.size(a); off += 1 << 20) {
                ByteBuf chunk = bytes(a, off, 1 << 20);
                holder.uploadWrite(ready.uploadId(), off, crc(chunk), chunk).join();
            }
            var done = holder.uploadCommit(ready.uploadId()).join();
            // A commit retried because its reply was lost gets the same answer, not an error.
            assertThat(holder.uploadCommit(ready.uploadId()).join().sha256()).isEqualTo(done.sha256());
            assertThat(Files.mismatch(a, uploads.resolve("same.bin"))).isEqualTo(-1);
            other.upload(b, "same.bin"); // once the first is done, the second may replace it
            assertThat(Files.mismatch(b, uploads.resolve("same.bin"))).isEqualTo(-1);
        }
    }

    @Test
    void twoSpellingsOfOneNameAreOneUploadSoTheirBytesCannotMix() throws Exception {
        try (CourierServer s = startWithUploads(); Dialer raw = new Dialer(clientConfigOf(s));
             WireConnection holder = raw.open(); WireConnection other = raw.open()) {
            holder.uploadBegin("dir/same.bin", 1 << 20, Sha256.ofHex("00".repeat(32))).join();
            for (String spelling : List.of("dir//same.bin", "./dir/same.bin", "dir/./same.bin")) {
                assertThatThrownBy(() -> other.uploadBegin(spelling, 1 << 20, Sha256.ofHex("11".repeat(32))).join())
                        .as(spelling).cause().isInstanceOfSatisfying(CourierException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCode.UPLOAD_CONFLICT));
            }
        }
    }

    @Test
    void damagedIncompleteAndMismatchedUploadsAreTypedErrors() throws Exception {
        Path file = TestFiles.random(local.resolve("f.bin"), 2 << 20, 5);
        try (CourierServer s = startWithUploads(); Dialer raw = new Dialer(clientConfigOf(s));
             WireConnection conn = raw.open()) {
            UploadReady ready = conn.uploadBegin("f.bin", Files.size(file), sha(file)).join();
            ByteBuf chunk = bytes(file, 0, 1 << 20);
            int goodCrc = crc(chunk);
            assertThatThrownBy(() -> conn.uploadWrite(ready.uploadId(), 0, goodCrc ^ 1, chunk.retain()).join())
                    .cause().isInstanceOfSatisfying(CourierException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.CHECKSUM_MISMATCH));
            conn.uploadWrite(ready.uploadId(), 0, goodCrc, chunk).join();
            assertThatThrownBy(() -> conn.uploadCommit(ready.uploadId()).join()).cause()
                    .isInstanceOfSatisfying(CourierException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.UPLOAD_INCOMPLETE));
            assertThatThrownBy(() -> conn.uploadCommit(12345).join()).cause()
                    .isInstanceOfSatisfying(CourierException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_UPLOAD));
            // Announce one digest, send other bytes: the commit refuses and nothing appears.
            UploadReady lie = conn.uploadBegin("lie.bin", 10, sha(file)).join();
            ByteBuf ten = Unpooled.wrappedBuffer(new byte[10]);
            conn.uploadWrite(lie.uploadId(), 0, crc(ten), ten).join();
            assertThatThrownBy(() -> conn.uploadCommit(lie.uploadId()).join()).cause()
                    .isInstanceOfSatisfying(CourierException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.DIGEST_MISMATCH));
            assertThat(uploads.resolve("lie.bin")).doesNotExist();
            assertThat(conn.point("1", 0, 1).join().sampleIndex()).isZero();
        }
    }

    @Test
    void aCommitThatCarriesTheSha256IsCheckedAgainstItAndTheBeginsOnlyNamesTheUpload() throws Exception {
        Path file = TestFiles.random(local.resolve("c.bin"), 3 << 20, 10);
        Sha256 tag = Sha256.ofHex("00".repeat(31) + "01"); // any 32 bytes: this BEGIN names the upload, no more
        try (CourierServer s = startWithUploads(); Dialer raw = new Dialer(clientConfigOf(s));
             WireConnection conn = raw.open()) {
            assertThat(conn.takesDigestAtCommit().join()).isTrue();
            UploadReady ready = conn.uploadBegin("c.bin", Files.size(file), tag).join();
            for (long off = 0; off < 3 << 20; off += 1 << 20) {
                ByteBuf chunk = bytes(file, off, 1 << 20);
                conn.uploadWrite(ready.uploadId(), off, crc(chunk), chunk).join();
            }
            var done = conn.uploadCommit(ready.uploadId(), Files.size(file), sha(file), true).join();
            assertThat(done.sha256()).isEqualTo(sha(file));
            assertThat(Files.mismatch(file, uploads.resolve("c.bin"))).isEqualTo(-1);

            // The COMMIT's SHA-256 is not the file's: refused, discarded, nothing under the name; the server goes on.
            UploadReady lie = conn.uploadBegin("lie.bin", 1 << 20, tag).join();
            ByteBuf chunk = bytes(file, 0, 1 << 20);
            conn.uploadWrite(lie.uploadId(), 0, crc(chunk), chunk).join();
            assertThatThrownBy(() -> conn.uploadCommit(lie.uploadId(), 1 << 20, tag, true).join()).cause()
                    .isInstanceOfSatisfying(CourierException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.DIGEST_MISMATCH));
            assertThat(uploads.resolve("lie.bin")).doesNotExist();
            assertThat(conn.point("1", 0, 1).join().sampleIndex()).isZero();
        }
    }

    @Test
    void anInterruptedLargeUploadResumesUnderItsVersionTagAndAnotherVersionStartsAfresh() throws Exception {
        Path file = TestFiles.random(local.resolve("big.bin"), Uploader.DIGEST_AT_COMMIT_MIN_BYTES, 11);
        long size = Files.size(file);
        try (CourierServer s = startWithUploads(); CourierClient c = clientOf(s)) {
            try (Dialer raw = new Dialer(c.config()); WireConnection first = raw.open()) {
                for (String name : List.of("same.bin", "changed.bin")) {
                    UploadReady ready = first.uploadBegin(name, size, VersionTag.of(file, size)).join();
                    for (long off = 0; off < 4 << 20; off += 1 << 20) {
                        ByteBuf chunk = bytes(file, off, 1 << 20);
                        first.uploadWrite(ready.uploadId(), off, crc(chunk), chunk).join();
                    }
                }
            } // the client goes away mid-upload
            Uploader uploader = new Uploader(c, DownloadOptions.defaults(), DownloadProgress.NONE);
            UploadResult same = uploader.upload(file, "same.bin");
            assertThat(same.resumedBytes()).isEqualTo(4 << 20);
            assertThat(same.sha256Hex()).isEqualTo(sha(file).hex());
            assertThat(Files.mismatch(file, uploads.resolve("same.bin"))).isEqualTo(-1);

            // Touched since: another version, which resumes nothing of what the server holds for the old one.
            Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() - 60_000));
            UploadResult changed = uploader.upload(file, "changed.bin");
            assertThat(changed.resumedBytes()).isZero();
            assertThat(Files.mismatch(file, uploads.resolve("changed.bin"))).isEqualTo(-1);
        }
    }

    @Test
    void interruptedUploadResumesFromWhatTheServerHolds() throws Exception {
        Path file = TestFiles.random(local.resolve("r.bin"), 8 << 20, 6);
        try (CourierServer s = startWithUploads(); CourierClient c = clientOf(s)) {
            try (Dialer raw = new Dialer(c.config()); WireConnection first = raw.open()) {
                UploadReady ready = first.uploadBegin("r.bin", Files.size(file), sha(file)).join();
                for (long off = 0; off < 4 << 20; off += 1 << 20) {
                    ByteBuf chunk = bytes(file, off, 1 << 20);
                    first.uploadWrite(ready.uploadId(), off, crc(chunk), chunk).join();
                }
            } // the client goes away mid-upload
            UploadResult r = new Uploader(c, DownloadOptions.defaults(), DownloadProgress.NONE).upload(file, "r.bin");
            assertThat(r.resumedBytes()).isEqualTo(4 << 20);
            assertThat(r.sentBytes()).isEqualTo(4 << 20);
            assertThat(Files.mismatch(file, uploads.resolve("r.bin"))).isEqualTo(-1);
        }
    }

    @Test
    void aChunkSizeBelowTheServersLeastWriteStillUploadsAndFillsGapsShorterThanIt() throws Exception {
        Path file = TestFiles.random(local.resolve("gaps.bin"), 1_000_000, 9);
        try (CourierServer s = startWithUploads(); CourierClient c = clientOf(s)) {
            try (Dialer raw = new Dialer(c.config()); WireConnection first = raw.open()) {
                UploadReady ready = first.uploadBegin("gaps.bin", Files.size(file), sha(file)).join();
                // Gaps of 500 and 10 bytes between what is held, both shorter than the least write.
                for (long[] range : new long[][] {{0, 100_000}, {100_500, 199_500}, {300_010, 399_990}}) {
                    ByteBuf chunk = bytes(file, range[0], (int) range[1]);
                    first.uploadWrite(ready.uploadId(), range[0], crc(chunk), chunk).join();
                }
            }
            UploadResult r = new Uploader(c, DownloadOptions.defaults().withChunkBytes(1000), DownloadProgress.NONE)
                    .upload(file, "gaps.bin");
            assertThat(r.resumedBytes()).isEqualTo(100_000 + 199_500 + 399_990);
            assertThat(Files.mismatch(file, uploads.resolve("gaps.bin"))).isEqualTo(-1);
        }
    }

    @Test
    void serverKilledMidUploadAndRestartedUploadCompletes() throws Exception {
        Path file = TestFiles.random(local.resolve("k.bin"), 96 << 20, 7);
        String[] args = {"--port", "0", "--data", CsvTruth.dataDir().toString(), "--upload-dir", uploads.toString(), "--upload-min-free-bytes", "0"};
        CourierProcess server = CourierProcess.server(args);
        int port = ProcessFaultsTest.portOf(server);
        args[1] = String.valueOf(port);
        CompletableFuture<Void> third = new CompletableFuture<>();
        DownloadOptions options = DownloadOptions.defaults().withConnections(4).withReadsPerConnection(2)
                .withStallTimeoutMillis(30_000).withBackoff(new Backoff(20, 300));
        try (CourierClient c = new CourierClient(ClientConfig.of("127.0.0.1", port));
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Uploader u = new Uploader(c, options, (done, total) -> {
                if (done >= total / 3) {
                    third.complete(null);
                }
            });
            Future<UploadResult> result = pool.submit(() -> u.upload(file, "k.bin"));
            third.get(60, TimeUnit.SECONDS);
            server.kill();
            server = CourierProcess.server(args);
            UploadResult r = result.get(120, TimeUnit.SECONDS);
            assertThat(r.sha256Hex()).isEqualTo(sha(file).hex());
            assertThat(Files.mismatch(file, uploads.resolve("k.bin"))).isEqualTo(-1);
        } finally {
            server.close();
        }
    }

    @Test
    void serverOutOfSpaceIsADiskFullErrorAndTheServerGoesOn() throws Exception {
        Path file = TestFiles.random(local.resolve("full.bin"), 24 << 20, 8);
        List<String> limit = List.of("bash", "-c", "trap '' XFSZ; exec prlimit --fsize=" + (8 << 20) + " -- \"$@\"",
            "limited");
        try (CourierProcess server = CourierProcess.start(limit, "serve", "--port", "0", "--data",
                CsvTruth.dataDir().toString(), "--upload-dir", uploads.toString(), "--upload-min-free-bytes", "0")) {
            server.awaitLine(l -> l.startsWith("out: courier: serving"), 30);
            int port = ProcessFaultsTest.portOf(server);
            try (CourierClient c = new CourierClient(ClientConfig.of("127.0.0.1", port))) {
                assertThatThrownBy(() -> new Uploader(c, DownloadOptions.defaults(), DownloadProgress.NONE)
                        .upload(file, "full.bin")).isInstanceOfSatisfying(CourierException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.DISK_FULL));
                assertThat(uploads.resolve("full.bin")).doesNotExist();
                try (Connection conn = c.open()) {
                    assertThat(conn.point("2", 0.004, 1).join().sampleIndex()).isEqualTo(1);
                }
            }
        }
    }
}
