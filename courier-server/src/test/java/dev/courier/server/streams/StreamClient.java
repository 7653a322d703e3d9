package dev.courier.server.streams;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.Reply;
import dev.courier.protocol.StreamRequest;
import dev.courier.server.testing.RawConnection;
import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The client side of a stream as the tests play it over a {@link RawConnection}: requests built from a real file's
 * size and time, and every chunk checked against the contract as it arrives (offsets consecutive, CRC32C computed
 * here, never more data than the credit granted).
 */
final class StreamClient {
    private StreamClient() {
    }

    /** READ_STREAM of {@code file} (a name directly under the root) as it is now on disk. */
    static StreamRequest request(int id, Path file, long offsetBytes, long lengthBytes, int windowBytes,
                                 int chunkBytes) {
        try {
            return new StreamRequest(id, file.getFileName().toString(), offsetBytes, lengthBytes, windowBytes,
                    chunkBytes, Files.size(file), Files.getLastModifiedTime(file).toMillis());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The CRC32C of {@code data}, computed with the JDK. */
    static int crc32c(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        return (int) crc.getValue();
    }

    /**
     * One stream as it arrives: the bytes received in order, the credit left, and whether it ended. Frames of other
     * streams are not its business; the caller routes them.
     */
    static final class Received {
        final int id;
        final long endBytes;
        final long fileSizeBytes;
        final int chunkBytes;
        long nextBytes;
        long creditBytes;
        boolean ended;
        final ByteArrayOutputStream data = new ByteArrayOutputStream();

        Received(StreamRequest r) {
            id = r.requestId();
            nextBytes = r.offsetBytes();
            endBytes = r.offsetBytes() + r.lengthBytes();
            fileSizeBytes = r.sizeBytes();
            chunkBytes = r.chunkBytes();
            creditBytes = r.windowBytes();
        }

        void granted(int bytes) {
            creditBytes += bytes;
        }

        /** Checks one chunk of this stream against the contract and keeps its data; releases it. */
        void accept(ChunkReply c) {
            try {
                assertThat(ended).as("a chunk of stream %d after its END", id).isFalse();
                byte[] bytes = ByteBufUtil.getBytes(c.data());
                assertThat(c.offsetBytes()).as("offset of the next chunk of stream %d", id).isEqualTo(nextBytes);
                assertThat(c.hasCrc()).as("flag CRC").isTrue();
                assertThat(c.crc32c()).as("CRC32C of the chunk at %d", c.offsetBytes()).isEqualTo(crc32c(bytes));
                assertThat((long) bytes.length).as("data bytes against the credit left").isLessThanOrEqualTo(creditBytes);
                long after = nextBytes + bytes.length;
                if (!c.end() || after == endBytes) {
                    assertThat(bytes.length).as("data bytes of the chunk at %d", c.offsetBytes())
                            .isEqualTo((int) Math.min(chunkBytes, endBytes - nextBytes));
                }
                assertThat(c.last()).as("flag LAST at %d", c.offsetBytes()).isEqualTo(after == fileSizeBytes);
                if (after == endBytes && bytes.length > 0) {
                    assertThat(c.end()).as("flag END on the chunk that reaches the end of the range").isTrue();
                }
                creditBytes -= bytes.length;
                nextBytes = after;
                data.writeBytes(bytes);
                ended = c.end();
            } finally {
                c.release();
            }
        }

        /** Receives frames from {@code c} until this stream ends, each of them one of its chunks. */
        Received readToEnd(RawConnection c) throws IOException {
            while (!ended) {
                Reply m = c.receive();
                assertThat(m).as("the next frame of stream %d", id).isInstanceOf(ChunkReply.class);
                assertThat(m.requestId()).isEqualTo(id);
                accept((ChunkReply) m);
            }
            return this;
        }

        byte[] bytes() {
            return data.toByteArray();
        }
    }
}
