package dev.courier.client.hostile;

import static dev.courier.client.hostile.Hostile.clientOf;
import static dev.courier.client.hostile.Hostile.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.client.DownloadOptions;
import dev.courier.client.DownloadProgress;
import dev.courier.client.DownloadResult;
import dev.courier.client.Downloader;
import dev.courier.client.testing.ScriptedServer;
import dev.courier.client.testing.ServedFile;
import dev.courier.protocol.DigestReply;
import dev.courier.protocol.DigestRequest;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.ReadRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A download whose bytes do not match the digest it ran against asks the server to hash the file afresh (DIGEST
 * with the recompute flag) and acts on the second opinion: a stale digest is no failure, a file that changed is
 * fetched again once, and bytes that match neither are damaged.
 */
class DigestRecomputeTest {
    static final ServedFile OLD = ServedFile.random(2_500_000, 1);
    /** The same size and modification time as {@link #OLD}, other bytes: a file rewritten in place. */
    static final ServedFile REWRITTEN = new ServedFile(ServedFile.random(2_500_000, 2).content(), OLD.modifiedMillis());
    static final ServedFile NEWER = new ServedFile(ServedFile.random(2_500_000, 3).content(), OLD.modifiedMillis() + 1);

    @TempDir
    Path dest;
    final List<String> notes = new CopyOnWriteArrayList<>();
    final List<DigestRequest> digests = new CopyOnWriteArrayList<>();

    private Downloader downloader(CourierClient client) {
        return new Downloader(client, DownloadOptions.defaults().withChunkBytes(1 << 20).withStallTimeoutMillis(5_000)
                .withStream(false),
                new DownloadProgress() {
                    @Override
                    public void advanced(long doneBytes, long totalBytes) {
                    }

                    @Override
                    public void note(String message) {
                        notes.add(message);
                    }
                });
    }

    @Test
    void aStaleDigestIsRecomputedAndTheBytesReceivedAreKept() throws Exception {
        // The server's cache still holds the digest of the old bytes; the file holds new ones, same size and time.
        AtomicInteger reads = new AtomicInteger();
        try (ScriptedServer server = ScriptedServer.start(peer -> {
            peer.handshake();
            peer.serve(m -> {
                if (m instanceof DigestRequest d) {
                    digests.add(d);
                    return (d.recompute() ? REWRITTEN : OLD).digest(d.requestId());
                }
                if (m instanceof ReadRequest) {
                    reads.incrementAndGet();
                }
                return REWRITTEN.answer(m);
            });
        });
             CourierClient client = clientOf(server, 30_000)) {
            DownloadResult r = downloader(client).download("f.bin", dest);
            assertThat(Files.readAllBytes(r.path())).isEqualTo(REWRITTEN.content());
            assertThat(r.sha256Hex()).isEqualTo(REWRITTEN.sha256().hex());
            assertThat(digests).extracting(DigestRequest::recompute).containsExactly(false, true);
            assertThat(reads.get()).as("fetched once, not again").isEqualTo(3);
            assertThat(notes).anyMatch(n -> n.contains("stale"));
        }
    }

    @Test
    void aReadAnsweredWithFileChangedStartsTheDownloadOverOnceAgainstTheNewVersion() throws Exception {
        // The server saw the file shrink or be replaced under the first READ and said so with FILE_CHANGED.
        AtomicInteger reads = new AtomicInteger();
        try (ScriptedServer server = ScriptedServer.start(peer -> {
            peer.handshake();
            peer.serve(m -> {
                if (m instanceof DigestRequest d) {
                    digests.add(d);
                    return (digests.size() == 1 ? OLD : NEWER).digest(d.requestId());
                }
                if (m instanceof ReadRequest r && reads.getAndIncrement() == 0) {
                    return new ErrorReply(r.requestId(), ErrorCode.FILE_CHANGED, "'f.bin' changed while it was read");
                }
                return NEWER.answer(m);
            });
        });
             CourierClient client = clientOf(server, 30_000)) {
            DownloadResult r = downloader(client).download("f.bin", dest);
            assertThat(Files.readAllBytes(r.path())).isEqualTo(NEWER.content());
            assertThat(digests).hasSize(2);
            assertThat(notes).anyMatch(n -> n.contains("changed on the server") && n.contains("starting over"));
        }
    }

    @Test
    void aFileThatKeepsChangingUnderTheReadsFailsWithFileChanged() throws Exception {
        try (ScriptedServer server = ScriptedServer.start(peer -> {
            peer.handshake();
            peer.serve(m -> {
                if (m instanceof DigestRequest d) {
                    return OLD.digest(d.requestId());
                }
                if (m instanceof ReadRequest r) {
                    return new ErrorReply(r.requestId(), ErrorCode.FILE_CHANGED, "'f.bin' changed while it was read");
                }
                return OLD.answer(m);
            });
        });
             CourierClient client = clientOf(server, 30_000)) {
            CourierException e = failure(() -> downloader(client).download("f.bin", dest));
            assertThat(e.code()).isEqualTo(ErrorCode.FILE_CHANGED);
        }
    }

    @Test
    void aFileChangedDuringTheDownloadIsFetchedAgainOnceAndSaysSo() throws Exception {
        // The file changes once the first chunk went out: the first pass mixes two versions.
        AtomicInteger reads = new AtomicInteger();
        try (ScriptedServer server = ScriptedServer.start(peer -> {
            peer.handshake();
            peer.serve(m -> {
                if (m instanceof DigestRequest d) {
                    digests.add(d);
                    return (d.recompute() ? NEWER : OLD).digest(d.requestId());
                }
                boolean first = m instanceof ReadRequest && reads.getAndIncrement() == 0;
                return (first ? OLD : NEWER).answer(m);
            });
        });
             CourierClient client = clientOf(server, 30_000)) {
            DownloadResult r = downloader(client).download("f.bin", dest);
            assertThat(Files.readAllBytes(r.path())).isEqualTo(NEWER.content());
            assertThat(digests).extracting(DigestRequest::recompute).containsExactly(false, true);
            assertThat(notes).anyMatch(n -> n.contains("changed on the server during the download")
                    && n.contains("starting over"));
            try (var left = Files.list(dest)) {
                assertThat(left).containsExactly(dest.resolve("f.bin"));
            }
        }
    }

    @Test
    void bytesThatMatchNeitherOpinionAreDamaged() throws Exception {
        // Both digests, cached and fresh, say OLD; the bytes are REWRITTEN's.
        try (ScriptedServer server = ScriptedServer.start(peer -> {
            peer.handshake();
            peer.serve(m -> {
                if (m instanceof DigestRequest d) {
                    digests.add(d);
                    return OLD.digest(d.requestId());
                }
                return REWRITTEN.answer(m);
            });
        });
             CourierClient client = clientOf(server, 30_000)) {
            CourierException e = failure(() -> downloader(client).download("f.bin", dest));
            assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED);
            assertThat(e.getMessage()).contains(OLD.sha256().toString()).contains(REWRITTEN.sha256().toString());
            assertThat(digests).extracting(DigestRequest::recompute).containsExactly(false, true);
            try (var left = Files.list(dest)) {
                assertThat(left).as("no part file or journal left").isEmpty();
            }
        }
    }

    @Test
    void aFileThatKeepsChangingFailsAfterOneFreshStart() throws Exception {
        // Every DIGEST finds a new version; the bytes never match any of them.
        AtomicInteger version = new AtomicInteger();
        try (ScriptedServer server = ScriptedServer.start(peer -> {
            peer.handshake();
            peer.serve(m -> {
                if (m instanceof DigestRequest d) {
                    digests.add(d);
                    ServedFile v = ServedFile.random(OLD.content().length, 100 + version.incrementAndGet());
                    return new DigestReply(d.requestId(), v.content().length, version.get(), v.sha256());
                }
                return OLD.answer(m);
            });
        });
             CourierClient client = clientOf(server, 30_000)) {
            CourierException e = failure(() -> downloader(client).download("f.bin", dest));
            assertThat(e.code()).isEqualTo(ErrorCode.VERIFICATION_FAILED);
            assertThat(e.getMessage()).contains("again");
            assertThat(digests).extracting(DigestRequest::recompute).containsExactly(false, true, true);
            assertThat(notes).filteredOn(n -> n.contains("starting over")).hasSize(1);
        }
    }
}
