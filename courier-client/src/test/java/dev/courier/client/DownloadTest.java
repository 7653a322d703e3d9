package dev.courier.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.protocol.ErrorCode;
import dev.courier.server.CourierServer;
import dev.courier.server.testing.TestFiles;
import dev.courier.server.testing.TestServers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Whole-file downloads over real connections into real files, compared byte for byte with the original. */
class DownloadTest {
    static final int SIXTY_FOUR_MIB = 64 << 20;

    @TempDir
    static Path served;
    static CourierServer server;
    static CourierClient client;

    @BeforeAll
    static void start() throws Exception {
        TestFiles.random(served.resolve("random.bin"), SIXTY_FOUR_MIB, 64);
        TestFiles.random(served.resolve("odd-size.bin"), 3 * 1000 * 1000 + 7, 7);
        Files.createFile(served.resolve("empty.bin"));
        Files.createDirectories(served.resolve("nested/dir"));
        TestFiles.random(served.resolve("nested/dir/deep.bin"), 100_000, 9);
        server = TestServers.start(served);
        client = new CourierClient(ClientConfig.of("127.0.0.1", server.localAddress().getPort()));
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    @ParameterizedTest(name = "{0} connections")
    @CsvSource({"1", "4", "16"})
    void sixtyFourMebibytesArriveByteIdentical(int connections, @TempDir Path dest) throws IOException {
        AtomicLong lastProgress = new AtomicLong();
        Downloader d = new Downloader(client, DownloadOptions.defaults().withConnections(connections),
                (done, total) -> lastProgress.accumulateAndGet(done, Math::max));
        DownloadResult r = d.download("random.bin", dest);
        assertThat(r.path()).isEqualTo(dest.resolve("random.bin"));
        assertThat(r.sizeBytes()).isEqualTo(SIXTY_FOUR_MIB);
        assertThat(r.connections()).isEqualTo(connections);
        assertThat(Files.mismatch(served.resolve("random.bin"), r.path())).isEqualTo(-1);
        assertThat(lastProgress.get()).isEqualTo(SIXTY_FOUR_MIB);
        assertThat(dest.resolve("random.bin" + Downloader.PART_SUFFIX)).doesNotExist();
    }

    @Test
    void aServerThatAllowsOneStreamPerConnectionIsDownloadedFromAll(@TempDir Path dest) throws Exception {
        try (CourierServer strict = CourierServer.start(
                TestServers.config(served).toBuilder().maxStreamsPerConnection(1).build());
             CourierClient c = new CourierClient(ClientConfig.of("127.0.0.1", strict.localAddress().getPort()))) {
            List<String> notes = new CopyOnWriteArrayList<>();
            // No digest, so no hashing window keeps the first lane from opening its second stream at once (with
            // one, the second piece starts at the window's edge and may go to the other lane).
            DownloadResult r = new Downloader(c, DownloadOptions.defaults().withConnections(2).withVerifyDigest(false),
                    noting(notes)).download("random.bin", dest);
            assertThat(Files.mismatch(served.resolve("random.bin"), r.path())).isEqualTo(-1);
            assertThat(notes).anySatisfy(n -> assertThat(n).contains("fewer streams per connection"));
        }
    }

    @Test
    void oddSizesSmallChunksAndNestedNames(@TempDir Path dest) throws IOException {
        Downloader d = new Downloader(client, DownloadOptions.defaults().withChunkBytes(65_521),
                DownloadProgress.NONE);
        Path target = dest.resolve("renamed.bin");
        d.download("odd-size.bin", target);
        assertThat(Files.mismatch(served.resolve("odd-size.bin"), target)).isEqualTo(-1);
        DownloadResult deep = d.download("nested/dir/deep.bin", dest);
        assertThat(deep.path()).isEqualTo(dest.resolve("deep.bin"));
        assertThat(Files.mismatch(served.resolve("nested/dir/deep.bin"), deep.path())).isEqualTo(-1);
    }

    @Test
    void emptyFileDownloadsAsAnEmptyFile(@TempDir Path dest) {
        DownloadResult r = new Downloader(client, DownloadOptions.defaults(), DownloadProgress.NONE)
                .download("empty.bin", dest);
        assertThat(r.path()).exists().isEmptyFile();
    }

    @Test
    void chunkSizeIsCappedByTheServer(@TempDir Path dest) throws Exception {
        try (CourierServer small = CourierServer.start(TestServers.config(served).withMaxChunkBytes(100_000));
             CourierClient c = new CourierClient(ClientConfig.of("127.0.0.1", small.localAddress().getPort()))) {
            DownloadResult r = new Downloader(c, DownloadOptions.defaults().withChunkBytes(8 << 20),
                    DownloadProgress.NONE).download("odd-size.bin", dest);
            assertThat(r.chunkBytes()).isEqualTo(100_000);
            assertThat(Files.mismatch(served.resolve("odd-size.bin"), r.path())).isEqualTo(-1);
        }
    }

    @Test
    void missingFileLeavesNothingBehind(@TempDir Path dest) throws IOException {
        Downloader d = new Downloader(client, DownloadOptions.defaults(), DownloadProgress.NONE);
        assertThatThrownBy(() -> d.download("no-such.bin", dest)).isInstanceOfSatisfying(CourierException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThatThrownBy(() -> d.download("../escape.bin", dest)).isInstanceOfSatisfying(CourierException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.OUTSIDE_ROOT));
        try (var files = Files.list(dest)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void existingFileIsReplacedOnlyWhenTheDownloadCompletes(@TempDir Path dest) throws IOException {
        Path target = dest.resolve("random.bin");
        Files.writeString(target, "old contents");
        Downloader d = new Downloader(client, DownloadOptions.defaults(), DownloadProgress.NONE);
        assertThatThrownBy(() -> d.download("missing.bin", target)).isInstanceOf(CourierException.class);
        assertThat(target).hasContent("old contents");
        d.download("random.bin", target);
        assertThat(Files.mismatch(served.resolve("random.bin"), target)).isEqualTo(-1);
    }

    /** Progress that keeps the notes. */
    private static DownloadProgress noting(List<String> notes) {
        return new DownloadProgress() {
            @Override
            public void advanced(long doneBytes, long totalBytes) {
            }

            @Override
            public void note(String message) {
                notes.add(message);
            }
        };
    }

    /** Fails the download after half the file, the way a crash would, leaving the part file and its journal. */
    private static Downloader interruptedAtHalf(CourierClient c) {
        return new Downloader(c, DownloadOptions.defaults().withChunkBytes(1 << 20),
                (done, total) -> {
                    if (done >= total / 2 && done < total) {
                        throw new IllegalStateException("simulated crash");
                    }
                });
    }

    @Test
    void interruptedDownloadResumesFromItsJournal(@TempDir Path dest) throws IOException {
        assertThatThrownBy(() -> interruptedAtHalf(client).download("random.bin", dest))
                .hasMessageContaining("simulated crash");
        assertThat(dest.resolve("random.bin")).doesNotExist();
        assertThat(dest.resolve("random.bin" + Downloader.PART_SUFFIX + Downloader.JOURNAL_SUFFIX)).exists();
        List<String> notes = new CopyOnWriteArrayList<>();
        DownloadResult r = new Downloader(client, DownloadOptions.defaults(), noting(notes)).download("random.bin", dest);
        assertThat(r.resumedBytes()).isGreaterThanOrEqualTo(SIXTY_FOUR_MIB / 2);
        assertThat(r.fetchedBytes()).isLessThanOrEqualTo(SIXTY_FOUR_MIB - r.resumedBytes());
        assertThat(notes).anyMatch(n -> n.startsWith("resuming random.bin: "));
        assertThat(Files.mismatch(served.resolve("random.bin"), r.path())).isEqualTo(-1);
        try (var left = Files.list(dest)) {
            assertThat(left).containsExactly(dest.resolve("random.bin"));
        }
    }

    @Test
    void fileChangedOnTheServerSinceTheInterruptionStartsOverAndSaysSo(@TempDir Path dest) throws IOException {
        Path changing = served.resolve("changing.bin");
        TestFiles.random(changing, 8 << 20, 10);
        assertThatThrownBy(() -> interruptedAtHalf(client).download("changing.bin", dest))
                .hasMessageContaining("simulated crash");
        TestFiles.random(changing, 8 << 20, 11);
        Files.setLastModifiedTime(changing, FileTime.fromMillis(
                Files.getLastModifiedTime(changing).toMillis() + 5_000));
        List<String> notes = new CopyOnWriteArrayList<>();
        DownloadResult r = new Downloader(client, DownloadOptions.defaults(), noting(notes)).download("changing.bin", dest);
        assertThat(r.resumedBytes()).isZero();
        assertThat(notes).anyMatch(n -> n.contains("changed on the server") && n.contains("starting over"));
        assertThat(Files.mismatch(changing, r.path())).isEqualTo(-1);
    }

    @Test
    void noResumeStartsOverEvenWithAJournal(@TempDir Path dest) throws IOException {
        assertThatThrownBy(() -> interruptedAtHalf(client).download("random.bin", dest))
                .hasMessageContaining("simulated crash");
        DownloadResult r = new Downloader(client, DownloadOptions.defaults().withResume(false), DownloadProgress.NONE)
                .download("random.bin", dest);
        assertThat(r.resumedBytes()).isZero();
        assertThat(r.fetchedBytes()).isGreaterThanOrEqualTo(SIXTY_FOUR_MIB);
        assertThat(Files.mismatch(served.resolve("random.bin"), r.path())).isEqualTo(-1);
    }

    @Test
    void aDiscardedStreamIsStoredOnTheEventLoopAndAFileDownloadOffIt(@TempDir Path dest) throws Exception {
        List<Thread> discarding = new CopyOnWriteArrayList<>();
        new Downloader(client, DownloadOptions.defaults().withDiscard(true).withConnections(2), DownloadProgress.NONE,
                (offset, length, latency) -> discarding.add(Thread.currentThread())).download("random.bin", dest);
        assertThat(discarding).hasSize(SIXTY_FOUR_MIB / DownloadOptions.DEFAULT_CHUNK_BYTES)
                .allSatisfy(t -> assertThat(t.getName()).startsWith("courier-client-"));
        List<Thread> writing = new CopyOnWriteArrayList<>();
        new Downloader(client, DownloadOptions.defaults().withConnections(2), DownloadProgress.NONE,
                (offset, length, latency) -> writing.add(Thread.currentThread())).download("random.bin", dest);
        assertThat(writing).hasSize(SIXTY_FOUR_MIB / DownloadOptions.DEFAULT_CHUNK_BYTES)
                .allSatisfy(t -> assertThat(t.isVirtual()).as("the part file is written off the event loop").isTrue());
    }

    @Test
    void discardVerifiesEverythingAndWritesNothing(@TempDir Path dest) throws Exception {
        DownloadResult r = new Downloader(client, DownloadOptions.defaults().withDiscard(true), DownloadProgress.NONE)
                .download("random.bin", dest);
        assertThat(r.path()).isNull();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        assertThat(r.sha256Hex()).isEqualTo(HexFormat.of().formatHex(
                sha.digest(Files.readAllBytes(served.resolve("random.bin")))));
        try (var left = Files.list(dest)) {
            assertThat(left).isEmpty();
        }
    }
}
