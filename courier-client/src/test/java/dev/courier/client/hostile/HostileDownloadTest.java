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
import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.DigestReply;
import dev.courier.protocol.DigestRequest;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Message;
import dev.courier.protocol.ReadRequest;
import dev.courier.protocol.StatReply;
import io.netty.buffer.Unpooled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A download believes no size, offset or length the server sends without checking it, and its memory does not
 * depend on the size the server announces. Every server here also answers POINTs, so that the same client can be
 * shown to be served after each lie.
 */
class HostileDownloadTest {
    static final long TWO_TO_THE_62 = 1L << 62;
    static final ServedFile FILE = ServedFile.random(3_000_000, 42);
    static final int CHUNK_BYTES = 1 << 20;

    @TempDir
    Path dest;

    /** Per-chunk READs, the path a server that predates streams gets (HostileStreamTest lies about streams). */
    private static DownloadOptions options() {
        return DownloadOptions.defaults().withConnections(2).withChunkBytes(CHUNK_BYTES).withStallTimeoutMillis(1_000)
                .withStream(false);
    }

    /** A server that answers every connection with {@code lie}'s answer where it has one, and the truth elsewhere. */
    private static ScriptedServer serving(Function<Message, Message> lie) throws Exception {
        return ScriptedServer.start(peer -> {
            peer.handshake();
            peer.serve(answers(lie, FILE::answer));
        });
    }

    @Test
    void anHonestServerIsDownloadedByteForByte() throws Exception {
        try (ScriptedServer server = serving(m -> null); CourierClient client = clientOf(server, 30_000)) {
            Path file = new Downloader(client, options(), DownloadProgress.NONE).download("f.bin", dest).path();
            assertThat(Files.readAllBytes(file)).isEqualTo(FILE.content());
        }
    }

    @Test
    void theDigestGoesOnTheFirstConnectionWhichThenCarriesReadsSoTwoConnectionsAreTwo() throws Exception {
        try (ScriptedServer server = serving(m -> null); CourierClient client = clientOf(server, 30_000)) {
            DownloadResult r = new Downloader(client, options(), DownloadProgress.NONE).download("f.bin", dest);
            assertThat(Files.readAllBytes(r.path())).isEqualTo(FILE.content());
            assertThat(r.connections()).isEqualTo(2);
            assertThat(server.connectionsAccepted()).as("no connection of its own for the DIGEST").isEqualTo(2);
        }
    }

    @Test
    void aSizeOfTwoToTheSixtySecondIsRefusedForWantOfSpaceNamingBothNumbers() throws Exception {
        try (ScriptedServer server = serving(m -> m instanceof DigestRequest d
                ? new DigestReply(d.requestId(), TWO_TO_THE_62, 1, FILE.sha256()) : null);
             CourierClient client = clientOf(server, 30_000)) {
            long free = Files.getFileStore(dest).getUsableSpace();
            CourierException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> failure(() -> new Downloader(client, options(), DownloadProgress.NONE)
                            .download("huge.bin", dest)));
            assertThat(e.code()).isEqualTo(ErrorCode.LOCAL_IO_ERROR);
            assertThat(e.getMessage()).contains("needs " + TWO_TO_THE_62 + " more bytes");
            String freeInMessage = e.getMessage().replaceAll(".*only (\\d+) bytes are free.*", "$1");
            assertThat(Long.parseLong(freeInMessage)).isBetween(free / 2, free * 2);
            try (var left = Files.list(dest)) {
                assertThat(left).as("no part file or journal left behind").isEmpty();
            }
            assertServedWithinASecond(client);
        }
    }

    @Test
    void aSizeOfTwoToTheSixtySecondCostsNoMemoryWhenDiscarding() throws Exception {
        // The server honestly serves zeros for a while and then falls silent: the download stalls out. The chunk
        // list for 2^62 bytes in 1 MiB chunks would have 2^42 entries; cut lazily it has none.
        byte[] zeros = new byte[CHUNK_BYTES];
        CRC32C crc = new CRC32C();
        crc.update(zeros);
        int zerosCrc = (int) crc.getValue();
        AtomicInteger reads = new AtomicInteger();
        try (ScriptedServer server = ScriptedServer.start(peer -> {
            peer.handshake();
            peer.serve(m -> switch (m) {
                case DigestRequest d -> new DigestReply(d.requestId(), TWO_TO_THE_62, 1, FILE.sha256());
                case ReadRequest r -> reads.incrementAndGet() > 16 ? null : new ChunkReply(r.requestId(),
                        r.offsetBytes(), false, true, zerosCrc, Unpooled.wrappedBuffer(zeros, 0, r.lengthBytes()));
                default -> Hostile.point(m);
            });
        });
             CourierClient client = clientOf(server, 30_000)) {
            CourierException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> failure(() -> new Downloader(client, options().withDiscard(true), DownloadProgress.NONE)
                            .download("huge.bin", dest)));
            assertThat(e.code()).isEqualTo(ErrorCode.TIMED_OUT);
            assertThat(reads.get()).isGreaterThan(16);
            assertServedWithinASecond(client);
        }
    }

    @Test
    void aNegativeSizeIsABadReply() throws Exception {
        try (ScriptedServer server = serving(m -> m instanceof DigestRequest d
                ? new DigestReply(d.requestId(), -1, 1, FILE.sha256()) : null);
             CourierClient client = clientOf(server, 30_000)) {
            CourierException e = failure(() -> new Downloader(client, options(), DownloadProgress.NONE)
                    .download("f.bin", dest));
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_REPLY);
            assertThat(e.getMessage()).contains("18446744073709551615");
            assertServedWithinASecond(client);
        }
    }

    /** Ways a CHUNK can fail to answer its READ. */
    enum ChunkLie {
        ANOTHER_OFFSET {
            @Override
            ChunkReply apply(ReadRequest r, ChunkReply truth) {
                return new ChunkReply(r.requestId(), r.offsetBytes() + 1, truth.last(), true, truth.crc32c(),
                        truth.data());
            }
        },
        MORE_BYTES_THAN_ASKED {
            @Override
            ChunkReply apply(ReadRequest r, ChunkReply truth) {
                byte[] more = new byte[r.lengthBytes() + 1];
                return new ChunkReply(r.requestId(), r.offsetBytes(), false, true, crc(more),
                        Unpooled.wrappedBuffer(more));
            }
        },
        SHORT_WITHOUT_LAST {
            @Override
            ChunkReply apply(ReadRequest r, ChunkReply truth) {
                byte[] less = new byte[r.lengthBytes() / 2];
                return new ChunkReply(r.requestId(), r.offsetBytes(), false, true, crc(less),
                        Unpooled.wrappedBuffer(less));
            }
        },
        EMPTY {
            @Override
            ChunkReply apply(ReadRequest r, ChunkReply truth) {
                return new ChunkReply(r.requestId(), r.offsetBytes(), true, true, crc(new byte[0]),
                        Unpooled.EMPTY_BUFFER);
            }
        };

        abstract ChunkReply apply(ReadRequest r, ChunkReply truth);

        static int crc(byte[] b) {
            CRC32C c = new CRC32C();
            c.update(b);
            return (int) c.getValue();
        }
    }

    @ParameterizedTest
    @EnumSource(ChunkLie.class)
    void aChunkThatDoesNotAnswerItsReadIsABadReply(ChunkLie lie) throws Exception {
        try (ScriptedServer server = serving(m -> m instanceof ReadRequest r
                ? lie.apply(r, (ChunkReply) FILE.read(r)) : null);
             CourierClient client = clientOf(server, 30_000)) {
            CourierException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> failure(() -> new Downloader(client, options(), DownloadProgress.NONE)
                            .download("f.bin", dest)));
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_REPLY);
            assertThat(e.getMessage()).contains("CHUNK");
            assertServedWithinASecond(client);
        }
    }

    @Test
    void aReplyOfTheWrongTypeIsABadReply() throws Exception {
        try (ScriptedServer server = serving(m -> m instanceof ReadRequest r
                ? new StatReply(r.requestId(), FILE.content().length, 1) : null);
             CourierClient client = clientOf(server, 30_000)) {
            CourierException e = failure(() -> new Downloader(client, options(), DownloadProgress.NONE)
                    .download("f.bin", dest));
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_REPLY);
            assertThat(e.getMessage()).contains("StatReply").contains("ChunkReply");
            assertServedWithinASecond(client);
        }
    }

    @Test
    void aChunkShorterThanTheAnnouncedSizeStillMeansTheFileChanged() throws Exception {
        // Short and LAST: a correct server does that when the file shrank. Not a protocol fault; a changed file.
        try (ScriptedServer server = serving(m -> m instanceof ReadRequest r && r.offsetBytes() > 0
                ? shrunkToTenBytes(r) : null);
             CourierClient client = clientOf(server, 30_000)) {
            CourierException e = failure(() -> new Downloader(client, options(), DownloadProgress.NONE)
                    .download("f.bin", dest));
            assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED);
        }
    }

    /** The first 10 bytes of what {@code r} asks for, flagged LAST: the file now ends there. */
    private static ChunkReply shrunkToTenBytes(ReadRequest r) {
        ChunkReply c = (ChunkReply) FILE.read(new ReadRequest(r.requestId(), r.name(), r.offsetBytes(), 10));
        return new ChunkReply(c.requestId(), c.offsetBytes(), true, true, c.crc32c(), c.data());
    }
}
