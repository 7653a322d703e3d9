package dev.courier.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.Reply;
import dev.courier.protocol.StreamRequest;
import dev.courier.protocol.WindowUpdate;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.OpenFiles;
import dev.courier.server.testing.RawConnection;
import dev.courier.server.testing.WellBehavedClient;
import io.netty.buffer.ByteBufUtil;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file truncated or replaced while a real server process streams it: the stream ends with FILE_CHANGED, every
 * chunk sent before carries the old version's bytes under their right CRC32C, the server lives and serves others,
 * and the descriptors of the old version are closed.
 */
class StreamFileChangedTest {
    private static final byte[] OK_BYTES = "still here".getBytes(StandardCharsets.US_ASCII);
    private static final int SIZE_BYTES = 64 << 20;
    private static final int CHUNK_BYTES = 1 << 20;
    private static final int WINDOW_BYTES = 4 * CHUNK_BYTES;

    @Test
    void aFileTruncatedMidStreamEndsTheStreamWithFileChanged(@TempDir Path dir) throws Exception {
        streamWhileChanging(dir, file -> {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.truncate(CHUNK_BYTES);
            }
        });
    }

    @Test
    void aFileReplacedMidStreamEndsTheStreamWithFileChanged(@TempDir Path dir) throws Exception {
        streamWhileChanging(dir, file -> {
            Path other = Files.write(file.resolveSibling("other.tmp"), new byte[SIZE_BYTES]);
            Files.move(other, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        });
    }

    /** What the test does to the file once the stream has used up its first window. */
    private interface Change {
        void apply(Path file) throws Exception;
    }

    private static void streamWhileChanging(Path dir, Change change) throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        byte[] content = new byte[SIZE_BYTES];
        new Random(21).nextBytes(content);
        Path file = Files.write(root.resolve("log.bin"), content);
        Files.write(root.resolve("ok.txt"), OK_BYTES);
        // No idle descriptors kept: once the stream is over, the server holds none under the root.
        try (CourierProcess server = CourierProcess.server("--port", "0", "--data", CsvTruth.dataDir().toString(),
                "--files", root.toString(), "--max-open-files", "0")) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", ProcessFaultsTest.portOf(server));
            // The root's own descriptor, which every confined open starts from.
            int before = OpenFiles.under(server.pid(), root);
            try (RawConnection c = RawConnection.handshaken(address)) {
                c.send(new StreamRequest(1, "log.bin", 0, SIZE_BYTES, WINDOW_BYTES, CHUNK_BYTES, SIZE_BYTES,
                        Files.getLastModifiedTime(file).toMillis()));
                long next = 0;
                while (next < WINDOW_BYTES) {
                    next = assertOldBytes((ChunkReply) c.receive(), next, content);
                }
                change.apply(file);
                c.send(new WindowUpdate(1, Integer.MAX_VALUE - WINDOW_BYTES));

                Reply m;
                while ((m = c.receive()) instanceof ChunkReply chunk) {
                    // Chunks whose batch was checked before the change: the old version's bytes (its descriptor
                    // still reads them), never another version's.
                    assertThat(chunk.end()).as("END before FILE_CHANGED").isFalse();
                    next = assertOldBytes(chunk, next, content);
                }
                assertThat(m).isInstanceOf(ErrorReply.class);
                assertThat(((ErrorReply) m).code()).isEqualTo(ErrorCode.FILE_CHANGED);
                assertThat(m.requestId()).isEqualTo(1);
                assertThat(next).as("bytes streamed before the change was seen").isLessThan(SIZE_BYTES);
                WellBehavedClient.assertServed(c, 2);
            }
            WellBehavedClient.assertReadServed(address, "ok.txt", OK_BYTES);
            assertThat(OpenFiles.awaitUnder(server.pid(), root, n -> n == before, 5_000))
                    .as("descriptors the server holds under the root once the stream ended").isEqualTo(before);
        }
    }

    /** Checks a chunk at {@code offset} against the old content and its CRC32C; returns the offset after it. */
    private static long assertOldBytes(ChunkReply chunk, long offset, byte[] content) {
        try {
            byte[] bytes = ByteBufUtil.getBytes(chunk.data());
            assertThat(chunk.offsetBytes()).isEqualTo(offset);
            assertThat(bytes).isEqualTo(Arrays.copyOfRange(content, (int) offset, (int) offset + bytes.length));
            CRC32C crc = new CRC32C();
            crc.update(bytes);
            assertThat(chunk.crc32c()).isEqualTo((int) crc.getValue());
            return offset + bytes.length;
        } finally {
            chunk.release();
        }
    }
}
