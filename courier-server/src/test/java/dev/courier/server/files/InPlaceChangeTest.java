package dev.courier.server.files;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.DigestReply;
import dev.courier.protocol.DigestRequest;
import dev.courier.protocol.Message;
import dev.courier.protocol.ReadRequest;
import dev.courier.server.CourierServer;
import dev.courier.server.testing.RawConnection;
import dev.courier.server.testing.TestFiles;
import dev.courier.server.testing.TestServers;
import io.netty.buffer.ByteBufUtil;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 8 of issue 10: the server kept SHA-256s and chunk CRCs per (path, size, modification time), so a file
 * rewritten in place with the same size and its modification time put back (a restore, {@code rsync --times},
 * {@code touch -r}) was announced with its old digest and old CRCs for ever, and no download of it could verify.
 * They are kept per version now, which includes the change time that no program can put back. And a DIGEST with
 * the RECOMPUTE flag hashes afresh for the change that no time stamp shows (a write through a shared mapping).
 */
class InPlaceChangeTest {
    private static final int SIZE_BYTES = 64 << 10;

    @Test
    void aFileRewrittenInPlaceWithItsSizeAndModificationTimePutBackIsServedAfresh(@TempDir Path root)
            throws Exception {
        byte[] before = random(SIZE_BYTES, 1);
        byte[] after = random(SIZE_BYTES, 2);
        Path file = Files.write(root.resolve("data.bin"), before);
        FileTime modified = Files.getLastModifiedTime(file);
        try (CourierServer server = TestServers.start(root);
             RawConnection c = RawConnection.handshaken(server.localAddress())) {
            assertServes(c, 1, "data.bin", before);

            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(after), 0);
            }
            Files.setLastModifiedTime(file, modified);
            assertThat(Files.size(file)).isEqualTo(SIZE_BYTES);
            assertThat(Files.getLastModifiedTime(file)).as("modification time put back").isEqualTo(modified);

            assertServes(c, 3, "data.bin", after);
        }
    }

    @Test
    void recomputeHashesAChangeThatNoTimeStampShowsAndKeepsTheNewDigest(@TempDir Path root) throws Exception {
        Path file = Files.write(root.resolve("mapped.bin"), random(SIZE_BYTES, 3));
        try (CourierServer server = TestServers.start(root);
             RawConnection c = RawConnection.handshaken(server.localAddress());
             FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, SIZE_BYTES);
            // The first write through the mapping faults the page writable and updates the times; later writes to
            // the same page change the bytes without the kernel noticing until writeback.
            map.put(0, (byte) 1);
            byte[] first = Files.readAllBytes(file);
            assertServes(c, 1, "mapped.bin", first);

            Map<String, Object> stamps = Files.readAttributes(file, "unix:ctime,lastModifiedTime,size",
                    LinkOption.NOFOLLOW_LINKS);
            map.put(1, (byte) 2);
            byte[] second = Files.readAllBytes(file);
            assertThat(second).isNotEqualTo(first);
            assertThat(Files.readAttributes(file, "unix:ctime,lastModifiedTime,size", LinkOption.NOFOLLOW_LINKS))
                    .as("no time stamp shows the second write").isEqualTo(stamps);

            c.send(new DigestRequest(3, "mapped.bin"));
            assertThat(((DigestReply) c.receive()).sha256()).as("what the cache must say: the version looks the same")
                    .isEqualTo(TestFiles.sha256(first));

            c.send(new DigestRequest(4, "mapped.bin", true));
            assertThat(((DigestReply) c.receive()).sha256()).as("RECOMPUTE hashes the bytes as they are")
                    .isEqualTo(TestFiles.sha256(second));
            // The new digest is kept, and the chunk CRCs of the version, now suspect, are computed again.
            assertServes(c, 5, "mapped.bin", second);
        }
    }

    /** DIGEST and a READ of the whole file announce exactly {@code content}: its SHA-256, its bytes, its CRC32C. */
    private static void assertServes(RawConnection c, int id, String name, byte[] content) throws Exception {
        c.send(new DigestRequest(id, name));
        Message m = c.receive();
        assertThat(m).isInstanceOf(DigestReply.class);
        DigestReply digest = (DigestReply) m;
        assertThat(digest.sizeBytes()).isEqualTo(content.length);
        assertThat(digest.sha256()).isEqualTo(TestFiles.sha256(content));

        c.send(new ReadRequest(id + 1, name, 0, content.length));
        m = c.receive();
        assertThat(m).isInstanceOf(ChunkReply.class);
        ChunkReply chunk = (ChunkReply) m;
        try {
            assertThat(ByteBufUtil.getBytes(chunk.data())).isEqualTo(content);
            CRC32C crc = new CRC32C();
            crc.update(content);
            assertThat(chunk.crc32c()).as("the chunk's CRC32C").isEqualTo((int) crc.getValue());
        } finally {
            chunk.release();
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }
}
