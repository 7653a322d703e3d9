package dev.courier.cli;

import dev.courier.cli.common.BundledData;
import dev.courier.cli.common.Json;
import dev.courier.client.Backoff;
import dev.courier.client.ClientConfig;
import dev.courier.client.CourierClient;
import dev.courier.client.ResilientConnection;
import dev.courier.client.files.DownloadOptions;
import dev.courier.client.files.DownloadProgress;
import dev.courier.client.files.DownloadResult;
import dev.courier.client.files.Downloader;
import dev.courier.protocol.PointReply;
import dev.courier.protocol.Sha256;
import dev.courier.server.files.Checksums;
import dev.courier.server.points.CsvRecordingLoader;
import dev.courier.server.points.Recording;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A bounded soak for fault-injection runs: points and downloads in a loop for a fixed time, every answer checked
 * against local copies of the data and files, then one JSON line: operations, successes, failures within the
 * deadline, wrong answers and corrupt files (both must be zero), and for each fault listed in {@code --faults} how
 * long until an operation started after it succeeded.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = "Points and downloads in a loop for a fixed time, every answer verified; prints one JSON "
                + "line (used by bench/chaos.sh).")
final class SoakCommand implements Callable<Integer> {
    private static final long BUCKET_MILLIS = 10;

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOption server;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long to run (default: ${DEFAULT-VALUE}).")
    int durationSeconds;

    @Option(names = "--data", paramLabel = "DIR", description = "The server's recordings (default: the bundled set).")
    Path data;

    @Option(names = "--files", paramLabel = "DIR", required = true,
            description = "A local copy of the server's files, to verify downloads against.")
    Path files;

    @Option(names = "--deadline-ms", paramLabel = "MILLIS", defaultValue = "10000",
            description = "Deadline of one operation, retries included (default: ${DEFAULT-VALUE}).")
    long deadlineMillis;

    @Option(names = "--faults", paramLabel = "FILE",
            description = "File of 'EPOCH_MILLIS KIND' lines written by the fault injector, read at the end.")
    Path faults;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    private long startMillis;
    private AtomicLongArray firstSuccessEnd;

    @Override
    public Integer call() throws Exception {
        Path dataDir = data != null ? data : BundledData.locate();
        List<Recording> recordings = CsvRecordingLoader.loadDirectory(dataDir).recordings();
        List<Path> fileList;
        try (Stream<Path> s = Files.list(files)) {
            fileList = s.filter(Files::isRegularFile).sorted().toList();
        }
        Map<Path, Sha256> expected = new HashMap<>();
        for (Path f : fileList) {
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                expected.put(f, new Sha256(Checksums.sha256(ch, ch.size())));
            }
        }
        startMillis = System.currentTimeMillis();
        long endNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(durationSeconds);
        firstSuccessEnd = new AtomicLongArray((int) (durationSeconds * 1000L / BUCKET_MILLIS + 1000));
        for (int i = 0; i < firstSuccessEnd.length(); i++) {
            firstSuccessEnd.set(i, Long.MAX_VALUE);
        }
        Counters points = new Counters();
        Counters downloads = new Counters();
        ClientConfig config = ClientConfig.parse(server.server).withRequestTimeoutMillis((int) deadlineMillis)
                .withKeepalive(1_000, 3_000);
        Path scratch = Files.createTempDirectory("courier-soak-");
        try (CourierClient client = new CourierClient(config);
             ResilientConnection conn = new ResilientConnection(client, deadlineMillis, new Backoff(20, 500))) {
            Thread downloader = Thread.ofVirtual().start(() -> downloads(client, fileList, expected, scratch,
                    endNanos, downloads));
            pointsLoop(conn, recordings, endNanos, points);
            downloader.join();
        } finally {
            try (Stream<Path> s = Files.walk(scratch)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        spec.commandLine().getOut().println(report(points, downloads));
        return 0;
    }

    private static final class Counters {
        final AtomicLong ok = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong wrong = new AtomicLong();
    }

    private void success(long startedMillis) {
        int bucket = (int) ((startedMillis - startMillis) / BUCKET_MILLIS);
        if (bucket >= 0 && bucket < firstSuccessEnd.length()) {
            long now = System.currentTimeMillis();
            firstSuccessEnd.accumulateAndGet(bucket, now, Math::min);
        }
    }

    private void pointsLoop(ResilientConnection conn, List<Recording> recordings, long endNanos, Counters c)
            throws InterruptedException {
        Random random = new Random(seed);
        Semaphore window = new Semaphore(32);
        while (System.nanoTime() < endNanos) {
            window.acquire();
            Recording r = recordings.get(random.nextInt(recordings.size()));
            int index = random.nextInt(r.sampleCount());
            int channel = 1 + random.nextInt(r.channelCount());
            double expected = r.value(channel, index);
            long started = System.currentTimeMillis();
            CompletableFuture<PointReply> f = conn.point(r.id(), r.sampleTimeSeconds(index), channel);
            f.whenComplete((reply, err) -> {
                window.release();
                if (err != null) {
                    c.failed.incrementAndGet();
                } else if (Double.compare(reply.value(), expected) != 0 || reply.sampleIndex() != index) {
                    c.wrong.incrementAndGet();
                } else {
                    c.ok.incrementAndGet();
                    success(started);
                }
            });
        }
        window.acquire(32); // every request answered or failed
    }

    private void downloads(CourierClient client, List<Path> fileList, Map<Path, Sha256> expected, Path scratch,
                           long endNanos, Counters c) {
        Random random = new Random(seed + 1);
        DownloadOptions options = DownloadOptions.defaults().withStallTimeoutMillis(deadlineMillis);
        int n = 0;
        while (System.nanoTime() < endNanos && !fileList.isEmpty()) {
            Path f = fileList.get(random.nextInt(fileList.size()));
            Path dest = scratch.resolve((n++) + "-" + f.getFileName());
            long started = System.currentTimeMillis();
            try {
                DownloadResult r = new Downloader(client, options, DownloadProgress.NONE)
                        .download(f.getFileName().toString(), dest);
                try (FileChannel ch = FileChannel.open(r.path(), StandardOpenOption.READ)) {
                    Sha256 got = new Sha256(Checksums.sha256(ch, ch.size()));
                    if (got.equals(expected.get(f)) && Files.mismatch(f, r.path()) == -1) {
                        c.ok.incrementAndGet();
                        success(started);
                    } else {
                        c.wrong.incrementAndGet();
                    }
                }
                Files.deleteIfExists(r.path());
            } catch (RuntimeException | IOException e) {
                c.failed.incrementAndGet();
            }
        }
    }

    private String report(Counters points, Counters downloads) throws IOException {
        StringBuilder recovery = new StringBuilder();
        if (faults != null && Files.exists(faults)) {
            for (String line : Files.readAllLines(faults)) {
                String[] parts = line.strip().split("\\s+");
                if (parts.length < 2) {
                    continue;
                }
                long at = Long.parseLong(parts[0]);
                long first = Long.MAX_VALUE;
                for (int b = (int) Math.max(0, (at - startMillis) / BUCKET_MILLIS + 1); b < firstSuccessEnd.length();
                     b++) {
                    first = Math.min(first, firstSuccessEnd.get(b));
                }
                recovery.append(recovery.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT,
                        "{\"at_ms\": %d, \"kind\": %s, \"recovered_ms\": %s}", at, Json.quote(parts[1]),
                        first == Long.MAX_VALUE ? "null" : String.valueOf(first - at)));
            }
        }
        return String.format(Locale.ROOT, "{\"points_ok\": %d, \"points_failed\": %d, \"points_wrong\": %d, "
                        + "\"downloads_ok\": %d, \"downloads_failed\": %d, \"downloads_corrupt\": %d, "
                        + "\"faults\": [%s]}",
                points.ok.get(), points.failed.get(), points.wrong.get(), downloads.ok.get(),
                downloads.failed.get(), downloads.wrong.get(), recovery);
    }
}
