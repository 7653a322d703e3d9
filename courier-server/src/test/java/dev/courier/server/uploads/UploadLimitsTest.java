package dev.courier.server.uploads;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Message;
import dev.courier.protocol.Sha256;
import dev.courier.protocol.UploadAck;
import dev.courier.protocol.UploadBegin;
import dev.courier.protocol.UploadCommit;
import dev.courier.protocol.UploadDone;
import dev.courier.protocol.UploadReady;
import dev.courier.protocol.UploadWrite;
import dev.courier.server.CourierServer;
import dev.courier.server.ServerConfig;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.OpenFiles;
import dev.courier.server.testing.RawConnection;
import dev.courier.server.testing.TestServers;
import dev.courier.server.testing.WellBehavedClient;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bounds on what uploads may hold, each against a real server on loopback with raw frames: the declared size,
 * the free-space reserve, the uploads per connection and in all, descriptors of idle uploads, the writes and
 * ranges one upload keeps, and the expiry of abandoned uploads. Each shows the typed error or the cleanup, and that
 * a well-behaved client is served within a second during and after.
 */
class UploadLimitsTest {
    private static final long SELF = ProcessHandle.current().pid();
    private static final int MIN_WRITE = FrameDescriptor.MIN_UPLOAD_WRITE_BYTES;
    private static final Sha256 ANY_SHA = new Sha256(new byte[32]);

    @TempDir
    Path uploads;

    private CourierServer start(UnaryOperator<ServerConfig.Builder> settings) throws Exception {
        ServerConfig base = TestServers.withUploads(CsvTruth.dataDir(), uploads);
        return CourierServer.start(settings.apply(base.toBuilder()).build());
    }

    private static Message begin(RawConnection c, int requestId, String name, long sizeBytes, Sha256 sha)
            throws IOException {
        c.send(new UploadBegin(requestId, name, sizeBytes, sha));
        return c.receive();
    }

    private static UploadReady ready(Message m) {
        assertThat(m).isInstanceOf(UploadReady.class);
        return (UploadReady) m;
    }

    private static void sendWrite(RawConnection c, int requestId, long uploadId, long offset, byte[] data)
            throws IOException {
        CRC32C crc = new CRC32C();
        crc.update(data);
        c.send(new UploadWrite(requestId, uploadId, offset, (int) crc.getValue(), Unpooled.wrappedBuffer(data)));
    }

    private static Message write(RawConnection c, int requestId, long uploadId, long offset, byte[] data)
            throws IOException {
        sendWrite(c, requestId, uploadId, offset, data);
        return c.receive();
    }

    private static void assertError(Message m, ErrorCode code) {
        assertThat(m).isInstanceOf(ErrorReply.class);
        assertThat(((ErrorReply) m).code()).as(((ErrorReply) m).message()).isEqualTo(code);
    }

    private static byte[] random(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static Sha256 sha(byte[] data) throws Exception {
        return new Sha256(MessageDigest.getInstance("SHA-256").digest(data));
    }

    /** The part files and journals in the upload directory; the server may delete them while this looks. */
    private List<Path> partFilesAndJournals() throws IOException {
        List<Path> found = new ArrayList<>();
        Files.walkFileTree(uploads, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (file.toString().contains(".courier-part")) {
                    found.add(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE; // deleted between the listing and the look: gone, not found
            }
        });
        return found;
    }

    @Test
    void aDeclaredSizeAboveTheLimitIsUploadTooLargeAndCreatesNothing() throws Exception {
        long limit = 1 << 20;
        try (CourierServer s = start(b -> b.maxUploadBytes(limit));
             RawConnection c = RawConnection.handshaken(s.localAddress())) {
            assertError(begin(c, 1, "huge.bin", Long.MAX_VALUE, ANY_SHA), ErrorCode.UPLOAD_TOO_LARGE);
            assertError(begin(c, 2, "over.bin", limit + 1, ANY_SHA), ErrorCode.UPLOAD_TOO_LARGE);
            assertThat(partFilesAndJournals()).isEmpty();
            WellBehavedClient.assertUploadServed(s.localAddress());
            assertThat(ready(begin(c, 3, "at-limit.bin", limit, ANY_SHA)).received()).isEmpty();
        }
    }

    @Test
    void aBeginThatWouldEatIntoTheFreeSpaceReserveIsDiskFullBeforeAnyByteIsWritten() throws Exception {
        long usable = Files.getFileStore(uploads).getUsableSpace();
        // Margins of a tenth of the free space either way: other processes may write to this disk meanwhile.
        try (CourierServer s = start(b -> b.uploadMinFreeBytes(usable / 2).maxUploadBytes(Long.MAX_VALUE / 2));
             RawConnection first = RawConnection.handshaken(s.localAddress());
             RawConnection second = RawConnection.handshaken(s.localAddress())) {
            assertError(begin(first, 1, "too-big.bin", usable * 6 / 10, ANY_SHA), ErrorCode.DISK_FULL);
            assertThat(partFilesAndJournals()).isEmpty();
            UploadReady held = ready(begin(first, 2, "fits.bin", usable * 3 / 10, ANY_SHA));
            // Fits alone, but not with the bytes promised to the first upload, still held open.
            assertError(begin(second, 3, "fits-too.bin", usable * 3 / 10, ANY_SHA), ErrorCode.DISK_FULL);
            WellBehavedClient.assertUploadServed(s.localAddress());

            first.close(); // its upload is no longer held open, so nothing is promised to it any more
            long deadline = System.nanoTime() + 5_000_000_000L;
            Message m;
            int id = 4;
            do {
                m = begin(second, id++, "fits-too.bin", usable * 3 / 10, ANY_SHA);
            } while (m instanceof ErrorReply && System.nanoTime() < deadline);
            assertThat(ready(m).uploadId()).isNotEqualTo(held.uploadId());
            WellBehavedClient.assertUploadServed(s.localAddress());
        }
    }

    @Test
    void aConnectionHoldsAtMostItsCapAndTheServerAtMostItsTotalUntilHoldersLeave() throws Exception {
        try (CourierServer s = start(b -> b.maxUploadsPerConnection(3).maxUploads(6));
             RawConnection a = RawConnection.handshaken(s.localAddress());
             RawConnection b = RawConnection.handshaken(s.localAddress())) {
            for (int i = 0; i < 3; i++) {
                ready(begin(a, i, "a-" + i + ".bin", 1000, ANY_SHA));
            }
            assertError(begin(a, 3, "a-3.bin", 1000, ANY_SHA), ErrorCode.TOO_MANY_UPLOADS);
            for (int i = 0; i < 2; i++) {
                ready(begin(b, i, "b-" + i + ".bin", 1000, ANY_SHA));
            }
            WellBehavedClient.assertUploadServed(s.localAddress()); // the sixth upload: the server's last one
            // The good client's upload is committed and gone; five are held, so one more fits, then none.
            ready(begin(b, 2, "b-2.bin", 1000, ANY_SHA));
            try (RawConnection c = RawConnection.handshaken(s.localAddress())) {
                assertError(begin(c, 1, "c-0.bin", 1000, ANY_SHA), ErrorCode.TOO_MANY_UPLOADS);
                WellBehavedClient.assertServedWithinASecond(s.localAddress());

                a.close(); // a's three uploads are kept for a resume, but no longer held: they make room
                long deadline = System.nanoTime() + 5_000_000_000L;
                Message m;
                int id = 2;
                do {
                    m = begin(c, id++, "c-0.bin", 1000, ANY_SHA);
                } while (m instanceof ErrorReply e && e.code() == ErrorCode.TOO_MANY_UPLOADS
                        && System.nanoTime() < deadline);
                ready(m);
            }
            WellBehavedClient.assertUploadServed(s.localAddress());
        }
    }

    @Test
    void anIdleUploadHoldsNoDescriptorsAndReopensThemOnItsNextWrite() throws Exception {
        byte[] data = random(2 * MIN_WRITE, 1);
        try (CourierServer s = start(b -> b.uploadIdleCloseMillis(200));
             RawConnection c = RawConnection.handshaken(s.localAddress())) {
            List<UploadReady> open = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                UploadReady r = ready(begin(c, i, "idle-" + i + ".bin", data.length, sha(data)));
                assertThat(write(c, 10 + i, r.uploadId(), 0, Arrays.copyOf(data, MIN_WRITE)))
                        .isInstanceOf(UploadAck.class);
                open.add(r);
            }
            assertThat(OpenFiles.awaitUnder(SELF, uploads, n -> n == 0, 5_000)).as("descriptors once idle")
                    .isZero();
            WellBehavedClient.assertUploadServed(s.localAddress());
            for (int i = 0; i < 4; i++) {
                byte[] rest = Arrays.copyOfRange(data, MIN_WRITE, data.length);
                assertThat(write(c, 20 + i, open.get(i).uploadId(), MIN_WRITE, rest)).isInstanceOf(UploadAck.class);
                c.send(new UploadCommit(30 + i, open.get(i).uploadId()));
                assertThat(c.receive()).isInstanceOf(UploadDone.class);
                assertThat(Files.readAllBytes(uploads.resolve("idle-" + i + ".bin"))).isEqualTo(data);
            }
            assertThat(OpenFiles.under(SELF, uploads)).isZero();
        }
    }

    @Test
    void anUploadWhoseConnectionClosesHoldsNoDescriptors() throws Exception {
        try (CourierServer s = start(b -> b.uploadIdleCloseMillis(600_000))) {
            try (RawConnection c = RawConnection.handshaken(s.localAddress())) {
                for (int i = 0; i < 4; i++) {
                    UploadReady r = ready(begin(c, i, "left-" + i + ".bin", 2 * MIN_WRITE, ANY_SHA));
                    assertThat(write(c, 10 + i, r.uploadId(), 0, random(MIN_WRITE, i))).isInstanceOf(UploadAck.class);
                }
                assertThat(OpenFiles.under(SELF, uploads)).isEqualTo(8);
            }
            assertThat(OpenFiles.awaitUnder(SELF, uploads, n -> n == 0, 5_000)).as("descriptors after the close")
                    .isZero();
            assertThat(partFilesAndJournals()).as("kept for a resume").hasSize(8);
            WellBehavedClient.assertUploadServed(s.localAddress());
        }
    }

    @Test
    void tinyWritesAreRefusedAndRewritesOfHeldBytesAreNotJournaledAgain() throws Exception {
        long size = 4L * MIN_WRITE + 10;
        Path journal = uploads.resolve("tiny.bin.courier-part.journal");
        try (CourierServer s = start(b -> b);
             RawConnection c = RawConnection.handshaken(s.localAddress())) {
            UploadReady r = ready(begin(c, 1, "tiny.bin", size, ANY_SHA));
            long header = Files.size(journal);
            // The pattern that used to add 88 bytes of heap per write: one-byte writes, every other byte.
            int tiny = 1000;
            Thread sender = Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < tiny; i++) {
                        sendWrite(c, 100 + i, r.uploadId(), 2L * i, new byte[] {7});
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            for (int i = 0; i < tiny; i++) {
                assertError(c.receive(), ErrorCode.MALFORMED_REQUEST);
            }
            sender.join();
            assertThat(Files.size(journal)).as("nothing journaled").isEqualTo(header);
            WellBehavedClient.assertUploadServed(s.localAddress());

            // A short write that ends the file is fine, and so is the same write again; only the first is journaled.
            byte[] chunk = random(MIN_WRITE, 2);
            for (int i = 0; i < 100; i++) {
                assertThat(write(c, 2000 + i, r.uploadId(), 0, chunk)).isInstanceOf(UploadAck.class);
            }
            assertThat(write(c, 3000, r.uploadId(), size - 10, random(10, 3))).isInstanceOf(UploadAck.class);
            assertThat(Files.size(journal)).as("one entry per write that brought new bytes")
                    .isEqualTo(header + 2 * 20);
        }
    }

    @Test
    void anUploadKeepsAtMostItsCapOfSeparateRanges() throws Exception {
        int cap = UploadLimits.MAX_RANGES;
        long size = 2L * MIN_WRITE * (cap + 2);
        byte[] chunk = random(MIN_WRITE, 4);
        try (CourierServer s = start(b -> b);
             RawConnection c = RawConnection.handshaken(s.localAddress())) {
            UploadReady r = ready(begin(c, 1, "ranges.bin", size, ANY_SHA));
            Thread sender = Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < cap; i++) {
                        sendWrite(c, 10 + i, r.uploadId(), 2L * MIN_WRITE * i, chunk);
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            for (int i = 0; i < cap; i++) {
                assertThat(c.receive()).isInstanceOf(UploadAck.class);
            }
            sender.join();
            assertError(write(c, 5000, r.uploadId(), 2L * MIN_WRITE * cap, chunk), ErrorCode.MALFORMED_REQUEST);
            WellBehavedClient.assertUploadServed(s.localAddress());
            // Filling a gap makes no new range: still welcome.
            assertThat(write(c, 5001, r.uploadId(), MIN_WRITE, chunk)).isInstanceOf(UploadAck.class);
            assertThat(ready(begin(c, 5002, "ranges.bin", size, ANY_SHA)).received()).hasSize(cap - 1);
        }
    }

    @Test
    void anAbandonedUploadExpiresAndItsFilesAreDeleted() throws Exception {
        try (CourierServer s = start(b -> b.uploadExpiryMillis(1_000).uploadIdleCloseMillis(100))) {
            long heldId;
            try (RawConnection holder = RawConnection.handshaken(s.localAddress());
                 RawConnection leaver = RawConnection.handshaken(s.localAddress())) {
                UploadReady left = ready(begin(leaver, 1, "left.bin", 2 * MIN_WRITE, ANY_SHA));
                assertThat(write(leaver, 2, left.uploadId(), 0, random(MIN_WRITE, 5))).isInstanceOf(UploadAck.class);
                UploadReady held = ready(begin(holder, 1, "held.bin", 2 * MIN_WRITE, ANY_SHA));
                heldId = held.uploadId();
                assertThat(partFilesAndJournals()).hasSize(4);
                leaver.close();

                long deadline = System.nanoTime() + 10_000_000_000L;
                while (!partFilesAndJournals().isEmpty() && System.nanoTime() < deadline) {
                    WellBehavedClient.assertUploadServed(s.localAddress());
                }
                assertThat(partFilesAndJournals()).as("both expired, held or not").isEmpty();
                // An upload untouched for the expiry is dropped even while its connection stays open.
                assertError(write(holder, 3, heldId, 0, random(MIN_WRITE, 6)), ErrorCode.UNKNOWN_UPLOAD);
                assertThat(ready(begin(holder, 4, "left.bin", 2 * MIN_WRITE, ANY_SHA)).received())
                        .as("starts from nothing").isEmpty();
            }
            WellBehavedClient.assertUploadServed(s.localAddress());
        }
    }

    @Test
    void leftoversOlderThanTheExpiryAreDeletedAtStartAndYoungerOnesResume() throws Exception {
        byte[] data = random(2 * MIN_WRITE, 7);
        try (CourierServer s = start(b -> b);
             RawConnection c = RawConnection.handshaken(s.localAddress())) {
            for (String name : List.of("old.bin", "sub/young.bin")) {
                UploadReady r = ready(begin(c, 1, name, data.length, sha(data)));
                assertThat(write(c, 2, r.uploadId(), 0, Arrays.copyOf(data, MIN_WRITE)))
                        .isInstanceOf(UploadAck.class);
            }
        } // the server stops; the part files and journals stay
        FileTime twoDaysAgo = FileTime.fromMillis(System.currentTimeMillis() - 2 * 86_400_000L);
        for (Path p : List.of(uploads.resolve("old.bin.courier-part"), uploads.resolve("old.bin.courier-part.journal"))) {
            Files.setLastModifiedTime(p, twoDaysAgo);
        }
        try (CourierServer s = start(b -> b.uploadExpiryMillis(86_400_000L));
             RawConnection c = RawConnection.handshaken(s.localAddress())) {
            assertThat(partFilesAndJournals()).containsExactlyInAnyOrder(
                    uploads.resolve("sub/young.bin.courier-part"), uploads.resolve("sub/young.bin.courier-part.journal"));
            UploadReady r = ready(begin(c, 1, "sub/young.bin", data.length, sha(data)));
            assertThat(r.received()).hasSize(1);
            assertThat(r.received().getFirst().lengthBytes()).isEqualTo(MIN_WRITE);
            assertThat(write(c, 2, r.uploadId(), MIN_WRITE, Arrays.copyOfRange(data, MIN_WRITE,
                    data.length))).isInstanceOf(UploadAck.class);
            c.send(new UploadCommit(3, r.uploadId()));
            assertThat(c.receive()).isInstanceOf(UploadDone.class);
            assertThat(Files.readAllBytes(uploads.resolve("sub/young.bin"))).isEqualTo(data);
            assertThat(ready(begin(c, 4, "old.bin", data.length, sha(data))).received()).as("starts over").isEmpty();
            WellBehavedClient.assertUploadServed(s.localAddress());
        }
    }
}
