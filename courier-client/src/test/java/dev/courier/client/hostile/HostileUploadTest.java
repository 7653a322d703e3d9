package dev.courier.client.hostile;

import static dev.courier.client.hostile.Hostile.assertServedWithinASecond;
import static dev.courier.client.hostile.Hostile.clientOf;
import static dev.courier.client.hostile.Hostile.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.client.DownloadOptions;
import dev.courier.client.DownloadProgress;
import dev.courier.client.UploadResult;
import dev.courier.client.Uploader;
import dev.courier.client.internal.ReplyRules;
import dev.courier.client.testing.Peer;
import dev.courier.client.testing.ScriptedServer;
import dev.courier.client.testing.ServedFile;
import dev.courier.protocol.ByteRange;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Message;
import dev.courier.protocol.Sha256;
import dev.courier.protocol.UploadAck;
import dev.courier.protocol.UploadBegin;
import dev.courier.protocol.UploadCommit;
import dev.courier.protocol.UploadDone;
import dev.courier.protocol.UploadReady;
import dev.courier.protocol.UploadWrite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An upload believes no limit, range or result the server sends without checking it against the upload: each lie
 * is BAD_REPLY, at once, never a loop or a hang.
 */
class HostileUploadTest {
    static final ServedFile LOCAL = ServedFile.random(200_000, 7);
    static final int SIZE = LOCAL.content().length;
    /** What fits in the scripted server's request frame, as Courier's server announces it. */
    static final int MAX_WRITE_BYTES = Peer.SERVER_MAX_FRAME_BYTES - FrameDescriptor.UPLOAD_WRITE_OVERHEAD_BYTES
            + FrameDescriptor.LENGTH_FIELD_BYTES;

    @TempDir
    Path dir;

    /**
     * A correct upload server that keeps the bytes written in {@code stored}, except where {@code lie} has an
     * answer of its own.
     */
    private static ScriptedServer uploadServer(byte[] stored, Function<Message, Message> lie) throws Exception {
        return ScriptedServer.start(peer -> {
            peer.handshake();
            peer.serve(m -> {
                Message answer = lie.apply(m);
                if (answer != null) {
                    return answer;
                }
                return switch (m) {
                    case UploadBegin b -> new UploadReady(b.requestId(), 0x1234, MAX_WRITE_BYTES, List.of());
                    case UploadWrite w -> {
                        int n = w.data().readableBytes();
                        w.data().readBytes(stored, (int) w.offsetBytes(), n);
                        yield new UploadAck(w.requestId(), w.offsetBytes(), n);
                    }
                    case UploadCommit c -> new UploadDone(c.requestId(), stored.length,
                            new ServedFile(stored, 0).sha256());
                    default -> Hostile.point(m);
                };
            });
        });
    }

    private Path local() throws Exception {
        return Files.write(dir.resolve("local.bin"), LOCAL.content());
    }

    private static Uploader uploader(CourierClient client) {
        return new Uploader(client, DownloadOptions.defaults().withConnections(2).withChunkBytes(64 << 10)
                .withStallTimeoutMillis(2_000), DownloadProgress.NONE);
    }

    private CourierException uploadFails(ScriptedServer server) throws Exception {
        Path local = local();
        try (CourierClient client = clientOf(server, 30_000)) {
            CourierException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> failure(() -> uploader(client).upload(local, "up.bin")));
            assertServedWithinASecond(client);
            return e;
        }
    }

    @Test
    void anHonestServerReceivesEveryByte() throws Exception {
        byte[] stored = new byte[SIZE];
        try (ScriptedServer server = uploadServer(stored, m -> null); CourierClient client = clientOf(server, 30_000)) {
            UploadResult r = uploader(client).upload(local(), "up.bin");
            assertThat(r.sizeBytes()).isEqualTo(SIZE);
            assertThat(stored).isEqualTo(LOCAL.content());
        }
    }

    @Test
    void theBeginGoesOnTheFirstConnectionWhichThenCarriesWritesAndTheCommit() throws Exception {
        byte[] stored = new byte[SIZE];
        try (ScriptedServer server = uploadServer(stored, m -> null); CourierClient client = clientOf(server, 30_000)) {
            uploader(client).upload(local(), "up.bin");
            assertThat(stored).isEqualTo(LOCAL.content());
            assertThat(server.connectionsAccepted()).as("two lanes, and no connection of its own for BEGIN")
                    .isEqualTo(2);
        }
    }

    static List<Arguments> lyingReadies() {
        return List.of(
                Arguments.of("writes of 0 bytes", 0, List.of()),
                Arguments.of("writes of 2^32-1 bytes", -1, List.of()),
                Arguments.of("writes of 1 byte", 1, List.of()),
                Arguments.of("writes below the floor", ReplyRules.MIN_WRITE_BYTES - 1, List.of()),
                Arguments.of("writes that do not fit the server's frame", MAX_WRITE_BYTES + 1, List.of()),
                Arguments.of("a range that starts at the end", MAX_WRITE_BYTES, List.of(new ByteRange(SIZE, 1))),
                Arguments.of("a range past the end", MAX_WRITE_BYTES, List.of(new ByteRange(0, SIZE + 1))),
                Arguments.of("a range of 2^63-1 bytes", MAX_WRITE_BYTES, List.of(new ByteRange(10, Long.MAX_VALUE))),
                Arguments.of("overlapping ranges", MAX_WRITE_BYTES,
                        List.of(new ByteRange(10, 20), new ByteRange(15, 10))),
                Arguments.of("unsorted ranges", MAX_WRITE_BYTES,
                        List.of(new ByteRange(50, 10), new ByteRange(0, 10))),
                Arguments.of("an empty range", MAX_WRITE_BYTES, List.of(new ByteRange(0, 0))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lyingReadies")
    void anUploadReadyTheUploadCannotKeepToIsABadReply(String what, int maxWriteBytes, List<ByteRange> ranges)
            throws Exception {
        try (ScriptedServer server = uploadServer(new byte[SIZE], m -> m instanceof UploadBegin b
                ? new UploadReady(b.requestId(), 0x1234, maxWriteBytes, ranges) : null)) {
            CourierException e = uploadFails(server);
            assertThat(e.code()).as(what).isEqualTo(ErrorCode.BAD_REPLY);
            assertThat(e.getMessage()).contains("UPLOAD_READY");
        }
    }

    @Test
    void anAckForAnotherRangeThanTheWriteIsABadReply() throws Exception {
        try (ScriptedServer server = uploadServer(new byte[SIZE], m -> m instanceof UploadWrite w
                ? new UploadAck(w.requestId(), w.offsetBytes() + 1, w.data().readableBytes()) : null)) {
            CourierException e = uploadFails(server);
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_REPLY);
            assertThat(e.getMessage()).contains("UPLOAD_ACK");
        }
    }

    @Test
    void aDoneWithAnotherSizeIsABadReply() throws Exception {
        try (ScriptedServer server = uploadServer(new byte[SIZE], m -> m instanceof UploadCommit c
                ? new UploadDone(c.requestId(), SIZE + 1, LOCAL.sha256()) : null)) {
            CourierException e = uploadFails(server);
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_REPLY);
            assertThat(e.getMessage()).contains("UPLOAD_DONE").contains(String.valueOf(SIZE + 1));
        }
    }

    @Test
    void aDoneWithAnotherDigestIsABadReply() throws Exception {
        Sha256 other = ServedFile.random(10, 8).sha256();
        try (ScriptedServer server = uploadServer(new byte[SIZE], m -> m instanceof UploadCommit c
                ? new UploadDone(c.requestId(), SIZE, other) : null)) {
            CourierException e = uploadFails(server);
            assertThat(e.code()).isEqualTo(ErrorCode.BAD_REPLY);
            assertThat(e.getMessage()).contains(other.toString()).contains(LOCAL.sha256().toString());
        }
    }
}
