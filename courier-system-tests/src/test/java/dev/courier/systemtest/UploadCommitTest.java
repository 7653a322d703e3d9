package dev.courier.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.client.ClientConfig;
import dev.courier.client.internal.Dialer;
import dev.courier.client.internal.WireConnection;
import dev.courier.protocol.Sha256;
import dev.courier.protocol.UploadAck;
import dev.courier.protocol.UploadDone;
import dev.courier.protocol.UploadReady;
import dev.courier.server.CourierServer;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.TestFiles;
import dev.courier.server.testing.TestServers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A big COMMIT (hashing and syncing hundreds of MiB) against a real server, while another client uploads small
 * files and asks for points: the other client is never held up by it. The big file is written back to front, so
 * that COMMIT has it to hash nearly whole.
 */
class UploadCommitTest {
    private static final int CHUNK_BYTES = 1 << 20;
    private static final long BIG_BYTES = 256L << 20;
    /** One random block; each chunk of the big file is this block with the chunk's number in its first bytes. */
    private static final byte[] BLOCK = new byte[CHUNK_BYTES];

    static {
        new Random(42).nextBytes(BLOCK);
    }

    @TempDir
    Path uploads;

    @Test
    void aBigCommitDoesNotHoldUpOtherClientsBeginWriteCommitOrPoints() throws Exception {
        try (CourierServer s = CourierServer.start(TestServers.withUploads(CsvTruth.dataDir(), uploads));
             Dialer client = new Dialer(ClientConfig.of("127.0.0.1", s.localAddress().getPort()));
             WireConnection big = client.open();
             WireConnection other = client.open()) {
            Sha256 bigSha = new Sha256(contentSha256(BIG_BYTES));
            UploadReady ready = big.uploadBegin("big.bin", BIG_BYTES, bigSha).get(10, TimeUnit.SECONDS);
            ArrayDeque<CompletableFuture<UploadAck>> window = new ArrayDeque<>();
            // Last chunk first: bytes that come in order are hashed as they are written, so only an upload out of
            // order leaves COMMIT most of the file to read and hash.
            for (long at = BIG_BYTES - CHUNK_BYTES; at >= 0; at -= CHUNK_BYTES) {
                ByteBuf chunk = Unpooled.wrappedBuffer(content(at, CHUNK_BYTES));
                window.add(big.uploadWrite(ready.uploadId(), at, crc(chunk), chunk));
                if (window.size() >= 8) {
                    window.removeFirst().get(30, TimeUnit.SECONDS);
                }
            }
            for (CompletableFuture<UploadAck> ack : window) {
                ack.get(30, TimeUnit.SECONDS);
            }

            smallUploadAndPoint(other, "small-before.bin", -1); // served before, and its code paths warmed up
            CompletableFuture<UploadDone> commit = big.uploadCommit(ready.uploadId());
            List<Long> cycleMillis = new ArrayList<>();
            int cyclesBeforeDone = 0;
            for (int i = 0; !commit.isDone() || i < 3; i++) {
                long start = System.nanoTime();
                smallUploadAndPoint(other, "small-" + i + ".bin", i);
                cycleMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                if (!commit.isDone()) {
                    cyclesBeforeDone++;
                }
            }
            assertThat(commit.get(60, TimeUnit.SECONDS).sha256()).isEqualTo(bigSha);
            assertThat(cyclesBeforeDone).as("small uploads finished while the big commit ran; times %s", cycleMillis)
                    .isGreaterThanOrEqualTo(1);
            assertThat(cycleMillis).as("each BEGIN, WRITE, COMMIT and POINT of the other client, in ms")
                    .allSatisfy(ms -> assertThat(ms).isLessThan(1_000));
            assertThat(TestFiles.sha256(uploads.resolve("big.bin"))).isEqualTo(bigSha.toString());
        }
    }

    /** BEGIN, one WRITE and COMMIT of a 100-byte file, then a point; each checked. */
    private static void smallUploadAndPoint(WireConnection c, String name, int seed) throws Exception {
        byte[] data = new byte[100];
        new Random(seed).nextBytes(data);
        Sha256 sha = new Sha256(MessageDigest.getInstance("SHA-256").digest(data));
        UploadReady r = c.uploadBegin(name, data.length, sha).get(5, TimeUnit.SECONDS);
        ByteBuf buf = Unpooled.wrappedBuffer(data);
        c.uploadWrite(r.uploadId(), 0, crc(buf), buf).get(5, TimeUnit.SECONDS);
        assertThat(c.uploadCommit(r.uploadId()).get(5, TimeUnit.SECONDS).sha256()).isEqualTo(sha);
        assertThat(c.point("3", 0.008, 1).get(5, TimeUnit.SECONDS).sampleIndex()).isEqualTo(2);
    }

    /** The chunk of the big file at {@code offset}: the random block, numbered, so that no two chunks are alike. */
    private static byte[] content(long offset, int length) {
        byte[] b = BLOCK.clone();
        ByteBuffer.wrap(b).putLong(offset / CHUNK_BYTES);
        return Arrays.copyOf(b, length);
    }

    private static byte[] contentSha256(long size) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (long at = 0; at < size; at += CHUNK_BYTES) {
            sha.update(content(at, CHUNK_BYTES));
        }
        return sha.digest();
    }

    private static int crc(ByteBuf b) {
        CRC32C c = new CRC32C();
        c.update(b.nioBuffer());
        return (int) c.getValue();
    }
}
