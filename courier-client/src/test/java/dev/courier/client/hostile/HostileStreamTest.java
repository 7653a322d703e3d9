package dev.courier.client.hostile;

import static dev.courier.client.hostile.Hostile.answers;
import static dev.courier.client.hostile.Hostile.assertServedWithinASecond;
import static dev.courier.client.hostile.Hostile.clientOf;
import static dev.courier.client.hostile.Hostile.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.client.DownloadOptions;
import dev.courier.client.DownloadProgress;
import dev.courier.client.DownloadResult;
import dev.courier.client.Downloader;
import dev.courier.client.testing.ScriptedServer;
import dev.courier.client.testing.ServedFile;
import dev.courier.client.testing.StreamingPeer;
import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.Message;
import dev.courier.protocol.ReadRequest;
import dev.courier.protocol.StreamRequest;
import io.netty.buffer.Unpooled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A download by READ_STREAM believes no chunk the server pushes without checking it against the stream: its offset,
 * its length, the END and LAST flags and the CRC32C (the credit, deterministically, in {@code ClientHandlerTest}). A
 * broken rule is BAD_REPLY (the connection is closed, and the client is still served on the next); a damaged chunk
 * is fetched again; a silent stream times out and its range goes to another connection; a server that predates
 * streams is read chunk by chunk.
 */
class HostileStreamTest {
    static final ServedFile FILE = ServedFile.random(3_000_000, 43);
    static final int CHUNK_BYTES = 64 << 10;
    static final int WINDOW_BYTES = 4 * CHUNK_BYTES;

    @TempDir
    Path dest;

    private static DownloadOptions options() {
        return DownloadOptions.defaults().withConnections(1).withChunkBytes(CHUNK_BYTES).withStream(true)
                .withStreamWindowBytes(WINDOW_BYTES).withStreamPieceBytes(1 << 20).withStallTimeoutMillis(5_000);
    }

    /** A server that streams {@link #FILE} on every connection, through {@code lie}. */
    private static ScriptedServer streaming(StreamingPeer.Lie lie) throws Exception {
        return ScriptedServer.start(peer -> {
            peer.handshake();
            new StreamingPeer(peer, FILE, lie).serve(answers(m -> null, FILE::answer));
        });
    }

    /** The download's failure: a BAD_REPLY naming {@code rule}; and the same client is served afterwards. */
    private void refused(StreamingPeer.Lie lie, String rule) throws Exception {
        try (ScriptedServer server = streaming(lie); CourierClient client = clientOf(server, 30_000)) {
            CourierException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                    () -> failure(() -> new Downloader(client, options(), DownloadProgress.NONE)
                            .download("f.bin", dest)));
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_REPLY);
            assertThat(e.getMessage()).contains(rule);
            assertThat(dest.resolve("f.bin")).doesNotExist();
            assertServedWithinASecond(client);
        }
    }

    private static ChunkReply copy(ChunkReply c, long offset, boolean last, boolean end, int crc) {
        return new ChunkReply(c.requestId(), offset, last, end, true, crc, c.data().retainedDuplicate());
    }

    @Test
    void anHonestStreamingServerIsDownloadedByteForByteWithoutASingleRead() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        AtomicInteger streams = new AtomicInteger();
        try (ScriptedServer server = ScriptedServer.start(peer -> {
            peer.handshake();
            new StreamingPeer(peer, FILE, (r, i, honest) -> {
                if (i == 0) {
                    streams.incrementAndGet();
                }
                return honest;
            }).serve(answers(m -> {
                if (m instanceof ReadRequest) {
                    reads.incrementAndGet();
                }
                return null;
            }, FILE::answer));
        });
             CourierClient client = clientOf(server, 30_000)) {
            DownloadResult r = new Downloader(client, options().withConnections(2), DownloadProgress.NONE)
                    .download("f.bin", dest);
            assertThat(Files.readAllBytes(r.path())).isEqualTo(FILE.content());
            assertThat(reads.get()).isZero();
            assertThat(streams.get()).as("one stream per 1 MiB piece").isEqualTo(3);
            assertThat(r.retries()).isZero();
        }
    }

    @Test
    void aChunkAtAnotherOffsetThanTheNextIsABadReply() throws Exception {
        refused((r, i, c) -> i == 2 ? copy(c, c.offsetBytes() + 1, c.last(), c.end(), c.crc32c()) : c,
                "but the next chunk starts at");
    }

    @Test
    void aChunkLargerThanAskedForIsABadReply() throws Exception {
        refused((r, i, c) -> i == 1 ? new ChunkReply(c.requestId(), c.offsetBytes(), false, false, true, 0,
                Unpooled.wrappedBuffer(new byte[CHUNK_BYTES + 1])) : c, "the stream asked for chunks of");
    }

    @Test
    void aShortChunkBeforeTheEndIsABadReply() throws Exception {
        refused((r, i, c) -> i == 1 ? new ChunkReply(c.requestId(), c.offsetBytes(), false, false, true, 0,
                Unpooled.wrappedBuffer(new byte[100])) : c, "only the stream's final chunk may be short");
    }

    @Test
    void endBeforeTheStreamsEndIsABadReply() throws Exception {
        refused((r, i, c) -> i == 1 ? copy(c, c.offsetBytes(), c.last(), true, c.crc32c()) : c,
                "has flag END at");
    }

    @Test
    void anEmptyEndThatWasNotAskedForIsABadReply() throws Exception {
        refused((r, i, c) -> i == 1 ? new ChunkReply(c.requestId(), c.offsetBytes(), false, true, true, 0,
                Unpooled.EMPTY_BUFFER) : c, "which was not cancelled");
    }

    @Test
    void lastBeforeTheEndOfTheFileIsABadReply() throws Exception {
        refused((r, i, c) -> i == 1 ? copy(c, c.offsetBytes(), true, c.end(), c.crc32c()) : c,
                "has flag LAST, but the file is");
    }

    @Test
    void theEndOfTheFileWithoutLastIsABadReply() throws Exception {
        refused((r, i, c) -> c.last() ? copy(c, c.offsetBytes(), false, c.end(), c.crc32c()) : c,
                "reaches the end of the file without flag LAST");
    }

    @Test
    void aChunkWithoutCrcIsABadReply() throws Exception {
        refused((r, i, c) -> i == 0 ? new ChunkReply(c.requestId(), c.offsetBytes(), c.last(), c.end(), false, 0,
                c.data().retainedDuplicate()) : c, "has no CRC32C");
    }

    @Test
    void aDamagedChunkIsDroppedAndItsRangeFetchedAgain() throws Exception {
        AtomicBoolean damaged = new AtomicBoolean();
        List<String> notes = new CopyOnWriteArrayList<>();
        try (ScriptedServer server = streaming((r, i, c) -> i == 3 && damaged.compareAndSet(false, true)
                ? copy(c, c.offsetBytes(), c.last(), c.end(), c.crc32c() ^ 1) : c);
             CourierClient client = clientOf(server, 30_000)) {
            DownloadResult r = new Downloader(client, options(), new DownloadProgress() {
                @Override
                public void advanced(long doneBytes, long totalBytes) {
                }

                @Override
                public void note(String message) {
                    notes.add(message);
                }
            }).download("f.bin", dest);
            assertThat(Files.readAllBytes(r.path())).isEqualTo(FILE.content());
            assertThat(r.retries()).isEqualTo(1);
            assertThat(r.fetchedBytes()).isEqualTo(FILE.content().length + CHUNK_BYTES);
            assertThat(notes).anyMatch(n -> n.contains("arrived damaged"));
        }
    }

    @Test
    void aDamagedChunkOfADiscardedDownloadIsDroppedOnTheEventLoopAndFetchedAgain() throws Exception {
        AtomicBoolean damaged = new AtomicBoolean();
        try (ScriptedServer server = streaming((r, i, c) -> i == 3 && damaged.compareAndSet(false, true)
                ? copy(c, c.offsetBytes(), c.last(), c.end(), c.crc32c() ^ 1) : c);
             CourierClient client = clientOf(server, 30_000)) {
            DownloadResult r = new Downloader(client, options().withDiscard(true), DownloadProgress.NONE)
                    .download("f.bin", dest);
            assertThat(r.path()).isNull();
            assertThat(r.sha256Hex()).isEqualTo(HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(FILE.content())));
            assertThat(r.retries()).isEqualTo(1);
            assertThat(r.fetchedBytes()).isEqualTo(FILE.content().length + CHUNK_BYTES);
        }
    }

    @Test
    void aDiscardedDownloadWhoseChunksAreAlwaysDamagedFailsAndTheClientIsStillServed() throws Exception {
        try (ScriptedServer server = streaming((r, i, c) -> c.offsetBytes() == 2L * CHUNK_BYTES
                ? copy(c, c.offsetBytes(), c.last(), c.end(), c.crc32c() ^ 1) : c);
             CourierClient client = clientOf(server, 30_000)) {
            CourierException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                    () -> failure(() -> new Downloader(client, options().withDiscard(true), DownloadProgress.NONE)
                            .download("f.bin", dest)));
            assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED);
            assertThat(e.getMessage()).contains("the chunk at " + 2L * CHUNK_BYTES + " arrived damaged")
                    .contains("times in a row");
            assertServedWithinASecond(client);
        }
    }

    @Test
    void aStreamTheServerStopsSendingTimesOutAndAnotherConnectionFinishesIt() throws Exception {
        AtomicInteger connection = new AtomicInteger();
        try (ScriptedServer server = ScriptedServer.start(peer -> {
            peer.handshake();
            boolean first = connection.getAndIncrement() == 0;
            new StreamingPeer(peer, FILE, (r, i, c) -> first && i == 5 ? null : c)
                    .serve(answers(m -> null, FILE::answer));
        });
             CourierClient client = clientOf(server, 500)) {
            DownloadResult r = assertTimeoutPreemptively(Duration.ofSeconds(20),
                    () -> new Downloader(client, options(), DownloadProgress.NONE).download("f.bin", dest));
            assertThat(Files.readAllBytes(r.path())).isEqualTo(FILE.content());
            assertThat(server.connectionsAccepted()).isGreaterThanOrEqualTo(2);
            assertThat(r.fetchedBytes()).as("what the silent stream delivered is not fetched again")
                    .isEqualTo(FILE.content().length);
        }
    }

    @Test
    void aServerThatDoesNotKnowStreamsIsReadChunkByChunk() throws Exception {
        AtomicInteger refused = new AtomicInteger();
        List<String> notes = new CopyOnWriteArrayList<>();
        try (ScriptedServer server = ScriptedServer.start(peer -> {
            peer.handshake();
            while (true) {
                Message m = peer.receive();
                if (m instanceof StreamRequest s) {
                    // As a server before streams: an unknown type is fatal, answered and the connection closed.
                    refused.incrementAndGet();
                    peer.send(new ErrorReply(s.requestId(), ErrorCode.UNKNOWN_TYPE, "unknown message type 0x28"));
                    return;
                }
                Message reply = answers(x -> null, FILE::answer).apply(m);
                if (reply != null) {
                    peer.send(reply);
                }
            }
        });
             CourierClient client = clientOf(server, 30_000)) {
            DownloadResult r = new Downloader(client, options().withConnections(2), new DownloadProgress() {
                @Override
                public void advanced(long doneBytes, long totalBytes) {
                }

                @Override
                public void note(String message) {
                    notes.add(message);
                }
            }).download("f.bin", dest);
            assertThat(Files.readAllBytes(r.path())).isEqualTo(FILE.content());
            assertThat(refused.get()).isPositive();
            assertThat(notes).contains("the server does not know READ_STREAM; reading chunk by chunk");
        }
    }

    /**
     * The SHA-256 hashes in order, so a range the server stalls holds the hashing point; a later range's stream must
     * then not run on: the client holds back its credit once it is past the hashing window (16 MiB, docs/robustness.md)
     * and so holds at most that window plus the stream's credit past the hashing point, and the download ends with
     * TIMED_OUT.
     */
    @Test
    void aStalledRangeKeepsTheLaterStreamWithinTheHashingWindow() throws Exception {
        ServedFile big = ServedFile.random(40 << 20, 47);
        long stalledFrom = 8L << 20; // nobody sends the bytes from here to the second range: the hash stops here
        long secondRange = big.content().length / 2;
        long hashingWindow = 16L << 20;
        AtomicLong furthest = new AtomicLong(); // the furthest end of a chunk sent for the second range
        try (ScriptedServer server = ScriptedServer.start(peer -> {
            peer.handshake();
            new StreamingPeer(peer, big, (r, i, honest) -> {
                long at = honest.offsetBytes();
                if (at >= stalledFrom && at < secondRange) {
                    return null; // silent from here on, with credit left
                }
                if (at >= secondRange) {
                    furthest.accumulateAndGet(at + honest.data().readableBytes(), Math::max);
                }
                return honest;
            }).serve(answers(m -> null, big::answer));
        });
             CourierClient client = clientOf(server, 30_000)) {
            DownloadOptions o = options().withConnections(2).withReadsPerConnection(1).withStreamPieceBytes(0)
                    .withDiscard(true).withStallTimeoutMillis(2_000);
            CourierException e = assertTimeoutPreemptively(Duration.ofSeconds(30),
                    () -> failure(() -> new Downloader(client, o, DownloadProgress.NONE).download("f.bin", dest)));
            assertThat(e.code()).isEqualTo(ErrorCode.TIMED_OUT);
            assertThat(furthest.get()).as("the second range ran up to the hashing window, and not beyond its credit")
                    .isBetween(stalledFrom + hashingWindow, stalledFrom + hashingWindow + WINDOW_BYTES);
            assertServedWithinASecond(client);
        }
    }
}
