package dev.courier.client.hostile;

import static dev.courier.client.hostile.Hostile.clientOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.client.CourierClient;
import dev.courier.client.DownloadOptions;
import dev.courier.client.DownloadProgress;
import dev.courier.client.UploadResult;
import dev.courier.client.Uploader;
import dev.courier.client.internal.VersionTag;
import dev.courier.client.testing.Peer;
import dev.courier.client.testing.ScriptedServer;
import dev.courier.client.testing.ServedFile;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A large file is hashed while it is sent, and its SHA-256 goes in the COMMIT, but only to a server that says it
 * reads it there; a server that predates the field gets the SHA-256 in the BEGIN, as before, and every server gets
 * a whole, verified upload either way.
 */
class UploadDigestAtCommitTest {
    /** Just large enough to be hashed while it is sent. */
    static final ServedFile LOCAL = ServedFile.random((int) Uploader.DIGEST_AT_COMMIT_MIN_BYTES, 11);
    static final int SIZE = LOCAL.content().length;
    static final int MAX_WRITE_BYTES = Peer.SERVER_MAX_FRAME_BYTES - FrameDescriptor.UPLOAD_WRITE_OVERHEAD_BYTES
            + FrameDescriptor.LENGTH_FIELD_BYTES;
    static final long UPLOAD_ID = 0x4321;

    @TempDir
    Path dir;

    private final List<UploadBegin> begins = new CopyOnWriteArrayList<>();
    private final List<UploadCommit> commits = new CopyOnWriteArrayList<>();

    /**
     * An upload server that keeps what is written in {@code stored}, and checks the file at COMMIT against the
     * SHA-256 there, when {@code readsCommitDigest}, or else against the BEGIN's, failing with DIGEST_MISMATCH as
     * Courier's server does. An old one answers a COMMIT with the field MALFORMED_REQUEST, as its reader would.
     */
    private ScriptedServer server(byte[] stored, boolean readsCommitDigest) throws Exception {
        return ScriptedServer.start(peer -> {
            peer.handshake();
            peer.serve(m -> answer(m, stored, readsCommitDigest));
        });
    }

    private Message answer(Message m, byte[] stored, boolean readsCommitDigest) {
        return switch (m) {
            case UploadBegin b -> {
                begins.add(b);
                yield new UploadReady(b.requestId(), UPLOAD_ID, MAX_WRITE_BYTES, List.of());
            }
            case UploadWrite w -> {
                int n = w.data().readableBytes();
                w.data().readBytes(stored, (int) w.offsetBytes(), n);
                yield new UploadAck(w.requestId(), w.offsetBytes(), n);
            }
            case UploadCommit c -> {
                commits.add(c);
                if (c.sha256().isPresent() && !readsCommitDigest) {
                    yield new ErrorReply(c.requestId(), ErrorCode.MALFORMED_REQUEST,
                            "UPLOAD_COMMIT payload is malformed: 32 unexpected bytes after the payload");
                }
                if (c.uploadId() != UPLOAD_ID) {
                    yield new ErrorReply(c.requestId(), ErrorCode.UNKNOWN_UPLOAD, "no such upload");
                }
                Sha256 actual = new ServedFile(stored, 0).sha256();
                Sha256 announced = c.sha256().orElse(begins.getLast().sha256());
                yield actual.equals(announced) ? new UploadDone(c.requestId(), stored.length, actual)
                        : new ErrorReply(c.requestId(), ErrorCode.DIGEST_MISMATCH, "not the announced SHA-256");
            }
            default -> Hostile.point(m);
        };
    }

    private UploadResult upload(ScriptedServer server, Path local) {
        try (CourierClient client = clientOf(server, 30_000)) {
            return new Uploader(client, DownloadOptions.defaults().withConnections(2).withStallTimeoutMillis(10_000),
                    DownloadProgress.NONE).upload(local, "big.bin");
        }
    }

    @Test
    void aServerThatReadsTheCommitsSha256GetsItThereAndTheFilesVersionTagInTheBegin() throws Exception {
        Path local = Files.write(dir.resolve("big.bin"), LOCAL.content());
        byte[] stored = new byte[SIZE];
        try (ScriptedServer server = server(stored, true)) {
            UploadResult r = upload(server, local);

            assertThat(stored).isEqualTo(LOCAL.content());
            assertThat(r.sha256Hex()).isEqualTo(LOCAL.sha256().hex());
            assertThat(begins).singleElement().satisfies(b -> {
                assertThat(b.sha256()).isEqualTo(VersionTag.of(local, SIZE)).isNotEqualTo(LOCAL.sha256());
            });
            assertThat(commits).as("the question, then the COMMIT with the SHA-256").hasSize(2);
            assertThat(commits.getFirst().uploadId()).as("an id no server hands out").isNegative();
            assertThat(commits.getLast().uploadId()).isEqualTo(UPLOAD_ID);
            assertThat(commits.getLast().sha256()).contains(LOCAL.sha256());
        }
    }

    @Test
    void aServerThatPredatesTheCommitsSha256GetsItInTheBeginAsBefore() throws Exception {
        Path local = Files.write(dir.resolve("big.bin"), LOCAL.content());
        byte[] stored = new byte[SIZE];
        try (ScriptedServer server = server(stored, false)) {
            UploadResult r = upload(server, local);

            assertThat(stored).isEqualTo(LOCAL.content());
            assertThat(r.sha256Hex()).isEqualTo(LOCAL.sha256().hex());
            assertThat(begins).singleElement().satisfies(b -> assertThat(b.sha256()).isEqualTo(LOCAL.sha256()));
            assertThat(commits).as("the question, then a plain COMMIT").hasSize(2);
            assertThat(commits.getLast().sha256()).isEqualTo(Optional.empty());
        }
    }

    @Test
    void aSmallFileIsHashedFirstAndAsksNothing() throws Exception {
        byte[] small = ServedFile.random(200_000, 12).content();
        Path local = Files.write(dir.resolve("small.bin"), small);
        byte[] stored = new byte[small.length];
        try (ScriptedServer server = server(stored, true)) {
            upload(server, local);

            assertThat(stored).isEqualTo(small);
            assertThat(begins).singleElement()
                    .satisfies(b -> assertThat(b.sha256()).isEqualTo(new ServedFile(small, 0).sha256()));
            assertThat(commits).as("no question first").singleElement()
                    .satisfies(c -> assertThat(c.sha256()).isEqualTo(Optional.empty()));
        }
    }
}
