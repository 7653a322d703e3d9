package dev.courier.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.client.Backoff;
import dev.courier.client.ClientConfig;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.client.DownloadOptions;
import dev.courier.client.DownloadProgress;
import dev.courier.client.DownloadResult;
import dev.courier.client.Downloader;
import dev.courier.client.Point;
import dev.courier.client.ResilientConnection;
import dev.courier.protocol.ErrorCode;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Servers and clients killed with SIGKILL (and stopped with SIGTERM) in the middle of their work. */
class ProcessFaultsTest {
    static final long SIZE = 128L << 20;
    static final Pattern PORT = Pattern.compile("on 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    static Path served;
    static String expectedSha;

    @BeforeAll
    static void files() throws Exception {
        TestFiles.random(served.resolve("big.bin"), SIZE, 128);
        expectedSha = TestFiles.sha256(served.resolve("big.bin"));
    }

    static String[] serverArgs(int port) {
        return new String[] {"--port", String.valueOf(port), "--data", CsvTruth.dataDir().toString(),
            "--files", served.toString()};
    }

    static int portOf(CourierProcess server) {
        for (String line : server.output()) {
            Matcher m = PORT.matcher(line);
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
        }
        throw new AssertionError("no port in " + server.output());
    }

    @Test
    void serverKilledMidDownloadAndRestartedDownloadResumesRefetchingOnlyWhatWasInFlight(@TempDir Path dest)
            throws Exception {
        CourierProcess server = CourierProcess.server(serverArgs(0));
        int port = portOf(server);
        CompletableFuture<Void> third = new CompletableFuture<>();
        DownloadOptions options = DownloadOptions.defaults().withConnections(4).withReadsPerConnection(2)
                .withStallTimeoutMillis(30_000).withBackoff(new Backoff(20, 300));
        try (CourierClient client = new CourierClient(ClientConfig.of("127.0.0.1", port))) {
            Downloader d = new Downloader(client, options, (done, total) -> {
                if (done >= total / 3) {
                    third.complete(null);
                }
            });
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                Future<DownloadResult> result = pool.submit(() -> d.download("big.bin", dest));
                third.get(60, TimeUnit.SECONDS);
                server.kill();
                server = CourierProcess.server(serverArgs(port));
                DownloadResult r = result.get(120, TimeUnit.SECONDS);
                assertThat(TestFiles.sha256(r.path())).isEqualTo(expectedSha);
                long inFlightBound = (long) options.connections() * options.readsPerConnection() * (1 << 20);
                assertThat(r.fetchedBytes()).as("re-fetched at most the chunks in flight")
                        .isLessThanOrEqualTo(SIZE + inFlightBound);
            }
        } finally {
            server.close();
        }
    }

    @Test
    void clientKilledMidDownloadResumesFromItsJournal(@TempDir Path dest) throws Exception {
        try (CourierProcess server = CourierProcess.server(serverArgs(0))) {
            String address = "127.0.0.1:" + portOf(server);
            long killedAt;
            try (CourierProcess get = CourierProcess.start("get", "--server", address, "big.bin", "-o",
                    dest.toString(), "--progress-lines", "--chunk-size", "262144")) {
                String line = get.awaitLine(l -> l.startsWith("err: progress ") && done(l) >= SIZE / 2, 60);
                get.kill();
                killedAt = done(line);
            }
            assertThat(dest.resolve("big.bin")).doesNotExist();
            assertThat(dest.resolve("big.bin.courier-part")).exists();
            assertThat(dest.resolve("big.bin.courier-part.journal")).exists();
            try (CourierProcess again = CourierProcess.start("get", "--server", address, "big.bin", "-o",
                    dest.toString())) {
                assertThat(again.waitFor(60)).as(String.join("\n", again.output())).isZero();
                String resumed = again.awaitLine(l -> l.contains("already here and verified"), 5);
                Matcher m = Pattern.compile("resuming big.bin: (\\d+) of").matcher(resumed);
                assertThat(m.find()).isTrue();
                assertThat(Long.parseLong(m.group(1))).isGreaterThanOrEqualTo(killedAt);
            }
            assertThat(TestFiles.sha256(dest.resolve("big.bin"))).isEqualTo(expectedSha);
            try (var left = Files.list(dest)) {
                assertThat(left).containsExactly(dest.resolve("big.bin"));
            }
        }
    }

    private static long done(String progressLine) {
        return Long.parseLong(progressLine.split(" ")[2]);
    }

    @Test
    void clientOutOfDiskSpaceFailsClearlyKeepsItsJournalAndResumes(@TempDir Path dest) throws Exception {
        try (CourierProcess server = CourierProcess.server(serverArgs(0))) {
            String address = "127.0.0.1:" + portOf(server);
            long limitBytes = 40L << 20;
            // A file size limit, as a full disk would stop the writes; SIGXFSZ is ignored so writes fail instead.
            List<String> limit = List.of("bash", "-c", "trap '' XFSZ; exec prlimit --fsize=" + limitBytes + " -- \"$@\"",
                "limited");
            try (CourierProcess get = CourierProcess.start(limit, "get", "--server", address, "big.bin", "-o",
                    dest.toString())) {
                assertThat(get.waitFor(60)).isEqualTo(1);
                String error = get.awaitLine(l -> l.startsWith("err: courier: LOCAL_IO_ERROR"), 5);
                assertThat(error).contains("File too large").contains("run again to resume");
            }
            assertThat(dest.resolve("big.bin")).doesNotExist();
            assertThat(dest.resolve("big.bin.courier-part.journal")).exists();
            try (CourierProcess again = CourierProcess.start("get", "--server", address, "big.bin", "-o",
                    dest.toString())) {
                assertThat(again.waitFor(60)).as(String.join("\n", again.output())).isZero();
                again.awaitLine(l -> l.contains("bytes resumed"), 5);
            }
            assertThat(TestFiles.sha256(dest.resolve("big.bin"))).isEqualTo(expectedSha);
        }
    }

    @Test
    void pointsAskedWhileTheServerRestartsAreAllCorrect() throws Exception {
        CsvTruth truth = CsvTruth.load();
        CourierProcess server = CourierProcess.server(serverArgs(0));
        int port = portOf(server);
        try (CourierClient client = new CourierClient(ClientConfig.of("127.0.0.1", port)
                .withRequestTimeoutMillis(2_000));
             ResilientConnection points = new ResilientConnection(client, 20_000, new Backoff(20, 300))) {
            int n = 3000;
            List<CompletableFuture<Point>> replies = new ArrayList<>();
            CompletableFuture<Void> halfAnswered = new CompletableFuture<>();
            AtomicInteger answered = new AtomicInteger();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                Future<?> asking = pool.submit(() -> {
                    for (int i = 0; i < n; i++) {
                        CompletableFuture<Point> f = points.point(String.valueOf(1 + i % 15), (i % 15000) * 0.004,
                                1 + i % 2);
                        f.whenComplete((r, e) -> {
                            if (answered.incrementAndGet() == n / 3) {
                                halfAnswered.complete(null);
                            }
                        });
                        replies.add(f);
                        if (i % 100 == 99) {
                            f.exceptionally(e -> null).join(); // keep a modest number in flight
                        }
                    }
                    return null;
                });
                halfAnswered.get(60, TimeUnit.SECONDS);
                server.kill();
                server = CourierProcess.server(serverArgs(port));
                asking.get(60, TimeUnit.SECONDS);
            }
            for (int i = 0; i < n; i++) {
                Point r = replies.get(i).get(60, TimeUnit.SECONDS);
                assertThat(r.value()).isEqualTo(truth.value(String.valueOf(1 + i % 15), i % 15000, 1 + i % 2));
            }
        } finally {
            server.close();
        }
    }

    @Test
    void pointsFailOnlyAfterTheirDeadlineWhenTheServerStaysDown() throws Exception {
        int port;
        try (CourierProcess server = CourierProcess.server(serverArgs(0))) {
            port = portOf(server);
        }
        try (CourierClient client = new CourierClient(ClientConfig.of("127.0.0.1", port));
             ResilientConnection points = new ResilientConnection(client, 1_500, new Backoff(20, 200))) {
            long start = System.nanoTime();
            Throwable error = points.point("1", 0, 1).handle((r, e) -> e).get(30, TimeUnit.SECONDS);
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(error).isNotNull();
            CourierException ce = (CourierException) CourierException.unwrap(error);
            assertThat(ce.code()).isEqualTo(ErrorCode.TIMED_OUT);
            assertThat(ce.getMessage()).contains("gave up after").contains("CONNECTION_FAILED");
            assertThat(elapsedMillis).isGreaterThanOrEqualTo(1_000); // the deadline minus one backoff step
        }
    }

    @Test
    void sigtermLetsChunksInFlightFinishAndAReplacementServerCompletesTheDownload(@TempDir Path dest)
            throws Exception {
        CourierProcess server = CourierProcess.server(serverArgs(0));
        int port = portOf(server);
        CompletableFuture<Void> started = new CompletableFuture<>();
        List<String> notes = new CopyOnWriteArrayList<>();
        DownloadOptions options = DownloadOptions.defaults().withConnections(2).withReadsPerConnection(2)
                .withStallTimeoutMillis(30_000).withBackoff(new Backoff(20, 300));
        try (CourierClient client = new CourierClient(ClientConfig.of("127.0.0.1", port))) {
            Downloader d = new Downloader(client, options, new DownloadProgress() {
                @Override
                public void advanced(long done, long total) {
                    if (done >= total / 4) {
                        started.complete(null);
                    }
                }

                @Override
                public void note(String message) {
                    notes.add(message);
                }
            });
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                Future<DownloadResult> result = pool.submit(() -> d.download("big.bin", dest));
                started.get(60, TimeUnit.SECONDS);
                server.terminate();
                server.awaitLine(l -> l.equals("err: courier: stopped"), 30);
                assertThat(server.waitFor(30)).isEqualTo(143); // 128 + SIGTERM, after the shutdown hook ran
                server = CourierProcess.server(serverArgs(port));
                DownloadResult r = result.get(120, TimeUnit.SECONDS);
                assertThat(TestFiles.sha256(r.path())).isEqualTo(expectedSha);
                assertThat(notes).anyMatch(n -> n.contains("reconnecting"));
            }
        } finally {
            server.close();
        }
    }
}
