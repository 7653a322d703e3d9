package dev.courier.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.DigestReply;
import dev.courier.protocol.DigestRequest;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.Message;
import dev.courier.protocol.ReadRequest;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.RawConnection;
import dev.courier.server.testing.TestFiles;
import dev.courier.server.testing.WellBehavedClient;
import io.netty.buffer.ByteBufUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 1 of issue 10: a served file truncated while it is read ({@code logrotate copytruncate}, {@code > file})
 * killed the server JVM, with SIGBUS in the CRC32C intrinsic over a memory mapping, and during DIGEST left the
 * request without a reply. Here a real server process serves a file that another thread truncates and writes back,
 * over and over, while a client READs and DIGESTs it: each request gets its bytes (right, with the right CRC32C),
 * its digest (right for the size it names), FILE_CHANGED or OFFSET_PAST_END, or, when the file shrank under the
 * zero-copy send of a chunk, its connection closed; and the server lives and serves others within a second.
 */
class TruncatedFileTest {
    /** What a well-behaved client reads of ok.txt while the test goes on. */
    private static final byte[] OK_BYTES = "still here".getBytes(StandardCharsets.US_ASCII);

    private static final int SIZE_BYTES = 8 << 20;
    private static final int CHUNK_BYTES = 1 << 20;
    /** Batches of requests: enough to meet the truncations hundreds of times. */
    private static final int BATCHES = 40;
    private static final long HAMMER_AT_MOST_MILLIS = 20_000;
    private static final long SERVED_WITHIN_MILLIS = 1_000;

    @Test
    void aFileTruncatedWhileItIsReadFailsThoseReadsAndNothingElse(@TempDir Path dir) throws Exception {
        Tally t = hammer(dir, 8, false);
        assertThat(t.chunks).as("chunks served: %s", t).isPositive();
        assertThat(t.typedErrors + t.closes + t.damaged).as("reads that met a truncation: %s", t).isPositive();
    }

    @Test
    void aFileTruncatedWhileItIsHashedFailsThoseDigestsAndNothingElse(@TempDir Path dir) throws Exception {
        Tally t = hammer(dir, 4, true);
        assertThat(t.digests + t.typedErrors).as("digests answered: %s", t).isEqualTo(BATCHES * 4);
        assertThat(t.typedErrors).as("digests that met a truncation: %s", t).isPositive();
    }

    /**
     * Serves an 8 MiB file from a server process while it is truncated and written back in a loop, and sends
     * {@code perBatch} READs of 1 MiB (or DIGESTs) at a time, {@link #BATCHES} times, checking every reply and a
     * well-behaved client after each batch.
     */
    private static Tally hammer(Path dir, int perBatch, boolean digest) throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        byte[] content = new byte[SIZE_BYTES];
        new Random(10).nextBytes(content);
        Path file = Files.write(root.resolve("log.bin"), content);
        Files.write(root.resolve("ok.txt"), OK_BYTES);

        Tally t = new Tally();
        try (CourierProcess server = CourierProcess.server("--port", "0", "--data", CsvTruth.dataDir().toString(),
                "--files", root.toString());
             Truncator truncator = new Truncator(file, content)) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", ProcessFaultsTest.portOf(server));
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HAMMER_AT_MOST_MILLIS);
            int id = 0;
            int batches = 0;
            while (batches < BATCHES && System.nanoTime() < end) {
                try (RawConnection c = connect(address, server)) {
                    while (batches < BATCHES && System.nanoTime() < end) {
                        batches++;
                        for (int i = 0; i < perBatch; i++) {
                            c.send(digest ? new DigestRequest(++id, "log.bin")
                                    : new ReadRequest(++id, "log.bin", (long) i * CHUNK_BYTES, CHUNK_BYTES));
                        }
                        for (int i = 0; i < perBatch; i++) {
                            sort(c.receive(), content, t);
                        }
                        WellBehavedClient.assertReadServed(address, "ok.txt", OK_BYTES);
                    }
                } catch (SocketTimeoutException e) {
                    throw new AssertionError("a request got no reply within 10 s (" + t + "); server output:\n"
                            + String.join("\n", server.output()), e);
                } catch (IOException e) {
                    // The file shrank under the sendfile of a chunk: that chunk's frame could not be finished.
                    t.closes++;
                }
            }
            assertThat(truncator.cycles()).as("truncations while the requests ran").isPositive();
            WellBehavedClient.assertReadServed(address, "ok.txt", OK_BYTES);
        }
        assertThat(t.otherErrors).as("errors other than FILE_CHANGED and OFFSET_PAST_END: %s", t).isEmpty();
        return t;
    }

    private static void sort(Message m, byte[] content, Tally t) throws Exception {
        switch (m) {
            case ChunkReply chunk -> {
                if (intact(content, chunk)) {
                    t.chunks++;
                } else {
                    t.damaged++;
                }
            }
            case DigestReply digest -> {
                assertThat(digest.sha256()).as("digest of the first %d bytes", digest.sizeBytes())
                        .isEqualTo(TestFiles.sha256(content, (int) digest.sizeBytes()));
                t.digests++;
            }
            case ErrorReply e when e.code() == ErrorCode.FILE_CHANGED || e.code() == ErrorCode.OFFSET_PAST_END ->
                    t.typedErrors++;
            case ErrorReply e -> t.otherErrors.add(e.code() + " " + e.message());
            default -> throw new AssertionError("unexpected reply " + m);
        }
    }

    private static final class Tally {
        int chunks;
        int damaged;
        int digests;
        int typedErrors;
        int closes;
        final List<String> otherErrors = new ArrayList<>();

        @Override
        public String toString() {
            return chunks + " chunks intact, " + damaged + " damaged and caught by their CRC32C, " + digests
                    + " digests, " + typedErrors + " FILE_CHANGED or OFFSET_PAST_END, " + closes
                    + " connections closed mid-chunk, " + otherErrors.size() + " other errors";
        }
    }

    /** A connection, or the proof that the server is gone. */
    private static RawConnection connect(InetSocketAddress address, CourierProcess server) {
        try {
            return RawConnection.handshaken(address);
        } catch (IOException e) {
            throw new AssertionError("cannot connect: the server died; its output:\n"
                    + String.join("\n", server.output()), e);
        }
    }

    /**
     * True for a chunk with the file's bytes and their CRC32C; false for one whose bytes changed under sendfile
     * after the CRC was taken (the pages are sent by reference, and a truncation zeroes them), which its CRC32C
     * gives away, so a client drops it and reads it again. A chunk with wrong bytes and a matching CRC fails.
     */
    private static boolean intact(byte[] content, ChunkReply chunk) {
        try {
            byte[] data = ByteBufUtil.getBytes(chunk.data());
            int offset = (int) chunk.offsetBytes();
            CRC32C crc = new CRC32C();
            crc.update(data);
            boolean right = Arrays.equals(data, Arrays.copyOfRange(content, offset, offset + data.length));
            boolean crcMatches = chunk.crc32c() == (int) crc.getValue();
            assertThat(crcMatches).as("the chunk at %d (%d bytes) %s its CRC32C", offset, data.length,
                    right ? "has the file's bytes, so matches" : "has bytes the file never held, so fails")
                    .isEqualTo(right);
            return right;
        } finally {
            chunk.release();
        }
    }


    /**
     * Cuts the file to a random length (sometimes nothing, as {@code > file} does) and writes the rest back, in a
     * loop on a thread of its own: the file is always a prefix of {@code content}, of a length that keeps changing.
     */
    private static final class Truncator implements AutoCloseable {
        private final Thread thread;
        private volatile boolean stop;
        private volatile int cycles;
        private volatile Exception failure;

        Truncator(Path file, byte[] content) {
            thread = Thread.ofPlatform().daemon().name("truncator").start(() -> {
                Random random = new Random(11);
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    while (!stop) {
                        int cut = random.nextInt(4) == 0 ? 0 : random.nextInt(content.length);
                        ch.truncate(cut);
                        ch.write(ByteBuffer.wrap(content, cut, content.length - cut), cut);
                        cycles++;
                    }
                } catch (IOException e) {
                    failure = e;
                }
            });
        }

        int cycles() {
            return cycles;
        }

        @Override
        public void close() throws Exception {
            stop = true;
            thread.join();
            if (failure != null) {
                throw failure;
            }
        }
    }
}
