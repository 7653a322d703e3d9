package dev.courier.server.uploads;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.Sha256;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hash the writes of an upload feed, on a real part file: what COMMIT computes from it (going on from the file
 * where the writes stopped) must be the SHA-256 of what the file holds, whatever order the writes came in.
 */
class InOrderHashTest {
    private static final int SIZE = 300_000;
    private final byte[] content = new byte[SIZE];
    private final InOrderHash hash = new InOrderHash();
    private final CommitHasher hasher = new CommitHasher(1);
    private FileChannel part;

    @BeforeEach
    void open(@TempDir Path dir) throws IOException {
        new Random(7).nextBytes(content);
        part = FileChannel.open(dir.resolve("part"), StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
    }

    @AfterEach
    void close() throws IOException {
        part.close();
        hasher.close();
    }

    @Test
    void writesInOrderAreAllHashedAsTheyArrive() throws Exception {
        for (int at = 0; at < SIZE; at += 100_000) {
            write(at, 100_000, true);
        }

        InOrderHash.Prefix prefix = hash.prefix();
        assertThat(prefix.hashedBytes()).isEqualTo(SIZE);
        assertThat(new Sha256(prefix.sha().digest())).isEqualTo(sha256(content));
    }

    @Test
    void aWriteOutOfOrderIsLeftForTheCommitToReadFromTheFile() throws Exception {
        write(0, 100_000, false);
        write(200_000, 100_000, true);
        write(100_000, 100_000, false);

        assertThat(hash.prefix().hashedBytes()).as("hashed as they came").isEqualTo(200_000);
        assertThat(hasher.sha256(part, SIZE, hash.prefix())).isEqualTo(sha256(content));
    }

    @Test
    void bytesThatOvertookTheOnesBeforeAreReadBackOnceTheGapIsFilled() throws Exception {
        write(100_000, 100_000, true);
        write(0, 100_000, true);
        assertThat(hash.prefix().hashedBytes()).isEqualTo(100_000);

        hash.catchUp(part, 100_000, 200_000);
        write(200_000, 100_000, false);

        InOrderHash.Prefix prefix = hash.prefix();
        assertThat(prefix.hashedBytes()).as("hashed without COMMIT reading anything").isEqualTo(SIZE);
        assertThat(new Sha256(prefix.sha().digest())).isEqualTo(sha256(content));
    }

    @Test
    void oneCatchUpHashesAtMostItsShareSoNoWriteHoldsItsThreadLong() throws Exception {
        long big = InOrderHash.MAX_CATCH_UP_BYTES + 1_000_000;
        part.write(ByteBuffer.wrap(new byte[1]), big - 1);

        hash.catchUp(part, 0, big);
        assertThat(hash.prefix().hashedBytes()).isEqualTo(InOrderHash.MAX_CATCH_UP_BYTES);
        hash.catchUp(part, InOrderHash.MAX_CATCH_UP_BYTES, big);
        assertThat(hash.prefix().hashedBytes()).isEqualTo(big);
        assertThat(new Sha256(hash.prefix().sha().digest())).isEqualTo(sha256(new byte[(int) big]));
    }

    @Test
    void aCatchUpFromWhereTheHashDoesNotEndIsIgnored() throws Exception {
        write(0, 100_000, true);

        hash.catchUp(part, 50_000, 100_000);

        assertThat(hash.prefix().hashedBytes()).isEqualTo(100_000);
        assertThat(hasher.sha256(part, 100_000, hash.prefix()))
                .isEqualTo(sha256(Arrays.copyOf(content, 100_000)));
    }

    @Test
    void aWriteOverBytesAlreadyHashedSpoilsTheHashSoTheCommitReadsTheWholeFile() throws Exception {
        write(0, 100_000, false);
        content[60_000] ^= 1; // the same range again, with other bytes: the file now holds these
        write(50_000, 100_000, true);
        write(150_000, 150_000, false);

        assertThat(hash.prefix().hashedBytes()).isZero();
        assertThat(hasher.sha256(part, SIZE, hash.prefix())).isEqualTo(sha256(content));
    }

    @Test
    void aFailedWriteHashesNothing() throws Exception {
        try {
            hash.write(0, new ByteBuffer[] {ByteBuffer.wrap(content, 0, 1000)}, () -> {
                throw new IOException("disk full");
            });
        } catch (IOException expected) {
            // as the writer said
        }
        assertThat(hash.prefix().hashedBytes()).isZero();
    }

    /** Writes {@code content[at, at + length)} through the hash, from a direct or a heap buffer, in two pieces. */
    private void write(int at, int length, boolean direct) throws IOException {
        ByteBuffer[] buffers = {buffer(at, length / 2, direct), buffer(at + length / 2, length - length / 2, direct)};
        hash.write(at, buffers, () -> {
            long position = at;
            for (ByteBuffer b : buffers) {
                ByteBuffer left = b.duplicate();
                while (left.hasRemaining()) {
                    position += part.write(left, position);
                }
            }
        });
        assertThat(buffers[0].position()).as("positions left alone").isZero();
    }

    private ByteBuffer buffer(int at, int length, boolean direct) {
        if (!direct) {
            return ByteBuffer.wrap(content.clone(), at, length).slice();
        }
        return ByteBuffer.allocateDirect(length).put(content, at, length).flip();
    }

    private static Sha256 sha256(byte[] bytes) throws Exception {
        return new Sha256(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
