package dev.courier.load;

import dev.courier.client.Backoff;
import dev.courier.client.ClientConfig;
import dev.courier.client.CourierClient;
import dev.courier.client.DownloadOptions;
import dev.courier.client.DownloadProgress;
import dev.courier.client.DownloadResult;
import dev.courier.client.Downloader;
import dev.courier.client.Point;
import dev.courier.client.ResilientConnection;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Stream;

/**
 * A bounded soak for fault-injection runs: for a fixed time, point requests of random records, samples and channels
 * (32 in flight, through a {@link ResilientConnection} that retries on fresh connections) and, beside them,
 * downloads of random files one after the other, every answer checked against local copies: values against the CSV
 * files as {@link PointData} reads them, downloads against the SHA-256 of the local copy (computed with the JDK)
 * and byte for byte. It counts successes, failures (no answer within the deadline, retries included) and wrong
 * answers or corrupt files, which must both be zero whatever the faults. For every 10 ms it also records when an
 * operation started in it first succeeded, so that {@link Result#recoveredMillis} tells how long after a fault
 * operations succeeded again.
 *
 * <p>The engine of {@code courier soak}, which {@code bench/chaos.sh} runs beside a fault injector. Threading:
 * {@link #run} blocks its caller, which sends the points; downloads run on a virtual thread of their own and
 * answers are checked on the client's event loops. Not reusable: one run per instance.
 */
public final class Soak {
    /** The resolution of the recovery times, in milliseconds. */
    private static final long BUCKET_MILLIS = 10;
    /** Point requests in flight. */
    private static final int POINTS_IN_FLIGHT = 32;

    /**
     * What to run.
     *
     * @param server          the server's address (and the client's I/O threads); the soak sets the request
     *                        timeout to {@code deadlineMillis} and keepalive to a ping after 1 s of silence and a
     *                        close after 3 s, so that a cut connection is noticed quickly
     * @param dataDir         the server's recordings (its {@code *.csv} files), to check values against
     * @param filesDir        a local copy of the server's files (the regular files directly in it), to check
     *                        downloads against; files are asked for by name
     * @param durationSeconds how long operations are started, 0 or more
     * @param deadlineMillis  deadline of one operation, retries included, at least 1 (and at most 2^31-1)
     * @param seed            seed of the choice of points (and, with {@code seed + 1}, of files)
     */
    public record Spec(ClientConfig server, Path dataDir, Path filesDir, int durationSeconds, long deadlineMillis,
                       long seed) {
        public Spec {
            Objects.requireNonNull(server, "server");
            Objects.requireNonNull(dataDir, "dataDir");
            Objects.requireNonNull(filesDir, "filesDir");
            if (durationSeconds < 0) {
                throw new IllegalArgumentException("duration must be 0 s or more: " + durationSeconds);
            }
            if (deadlineMillis < 1 || deadlineMillis > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("deadline must be 1 to 2147483647 ms: " + deadlineMillis);
            }
        }
    }

    /**
     * How one kind of operation fared.
     *
     * @param ok     operations answered and verified
     * @param failed operations that got no answer within the deadline (an error, retries exhausted)
     * @param wrong  operations answered wrongly: a value or sample index that differs from the data, or a
     *               downloaded file that differs from the local copy
     */
    public record Counts(long ok, long failed, long wrong) {
    }

    /**
     * What a run did: counts of points and downloads, and when operations succeeded, for recovery times. Immutable.
     */
    public static final class Result {
        private final Counts points;
        private final Counts downloads;
        private final long startEpochMillis;
        private final long[] firstSuccessEnd;

        private Result(Counts points, Counts downloads, long startEpochMillis, long[] firstSuccessEnd) {
            this.points = points;
            this.downloads = downloads;
            this.startEpochMillis = startEpochMillis;
            this.firstSuccessEnd = firstSuccessEnd;
        }

        /** Point requests. */
        public Counts points() {
            return points;
        }

        /** Downloads; {@link Counts#wrong()} counts corrupt files. */
        public Counts downloads() {
            return downloads;
        }

        /** When the run started, in milliseconds since the epoch (the clock a fault injector writes). */
        public long startEpochMillis() {
            return startEpochMillis;
        }

        /**
         * How long after a fault at {@code faultAtEpochMillis} (milliseconds since the epoch) an operation started
         * after it (in a later 10 ms interval) first succeeded, in milliseconds; empty when none did.
         */
        public OptionalLong recoveredMillis(long faultAtEpochMillis) {
            long first = Long.MAX_VALUE;
            for (int b = (int) Math.max(0, (faultAtEpochMillis - startEpochMillis) / BUCKET_MILLIS + 1);
                 b < firstSuccessEnd.length; b++) {
                first = Math.min(first, firstSuccessEnd[b]);
            }
            return first == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(first - faultAtEpochMillis);
        }
    }

    private final Spec spec;
    private long startMillis;
    /** Per 10 ms bucket of start times, the earliest time (epoch millis) an operation started in it succeeded. */
    private AtomicLongArray firstSuccessEnd;

    private Soak(Spec spec) {
        this.spec = spec;
    }

    /**
     * Reads the data and the local files, runs the soak for its duration, waits for the operations in flight and
     * returns what happened. Failures of operations are counted, never thrown.
     *
     * @throws IOException              when the data or the local files cannot be read, or the scratch folder
     *                                  for downloads cannot be made
     * @throws IllegalArgumentException when a data file is malformed
     */
    public static Result run(Spec spec) throws IOException, InterruptedException {
        return new Soak(spec).run();
    }

    private Result run() throws IOException, InterruptedException {
        PointData data = PointData.load(spec.dataDir(), null);
        List<Path> fileList;
        try (Stream<Path> s = Files.list(spec.filesDir())) {
            fileList = s.filter(Files::isRegularFile).sorted().toList();
        }
        Map<Path, String> expected = new HashMap<>();
        for (Path f : fileList) {
            expected.put(f, FileDigests.sha256Hex(f));
        }
        startMillis = System.currentTimeMillis();
        long endNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(spec.durationSeconds());
        firstSuccessEnd = new AtomicLongArray((int) (spec.durationSeconds() * 1000L / BUCKET_MILLIS + 1000));
        for (int i = 0; i < firstSuccessEnd.length(); i++) {
            firstSuccessEnd.set(i, Long.MAX_VALUE);
        }
        Counters points = new Counters();
        Counters downloads = new Counters();
        ClientConfig config = spec.server().withRequestTimeoutMillis((int) spec.deadlineMillis())
                .withKeepalive(1_000, 3_000);
        Path scratch = Files.createTempDirectory("courier-soak-");
        try (CourierClient client = new CourierClient(config);
             ResilientConnection conn = new ResilientConnection(client, spec.deadlineMillis(), new Backoff(20, 500))) {
            Thread downloader = Thread.ofVirtual().start(() -> downloads(client, fileList, expected, scratch,
                    endNanos, downloads));
            pointsLoop(conn, data, endNanos, points);
            downloader.join();
        } finally {
            try (Stream<Path> s = Files.walk(scratch)) {
                s.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
        long[] successes = new long[firstSuccessEnd.length()];
        for (int i = 0; i < successes.length; i++) {
            successes[i] = firstSuccessEnd.get(i);
        }
        return new Result(points.counts(), downloads.counts(), startMillis, successes);
    }

    private static final class Counters {
        final AtomicLong ok = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong wrong = new AtomicLong();

        Counts counts() {
            return new Counts(ok.get(), failed.get(), wrong.get());
        }
    }

    private void success(long startedMillis) {
        int bucket = (int) ((startedMillis - startMillis) / BUCKET_MILLIS);
        if (bucket >= 0 && bucket < firstSuccessEnd.length()) {
            long now = System.currentTimeMillis();
            firstSuccessEnd.accumulateAndGet(bucket, now, Math::min);
        }
    }

    private void pointsLoop(ResilientConnection conn, PointData data, long endNanos, Counters c)
            throws InterruptedException {
        Random random = new Random(spec.seed());
        Semaphore window = new Semaphore(POINTS_IN_FLIGHT);
        while (System.nanoTime() < endNanos) {
            window.acquire();
            int r = random.nextInt(data.recordCount());
            int row = random.nextInt(data.rows(r));
            int channel = 1 + random.nextInt(data.channels(r));
            double expected = data.value(r, channel, row);
            int index = data.sampleIndex(r, row);
            long started = System.currentTimeMillis();
            CompletableFuture<Point> f = conn.point(data.records().get(r), data.timeSeconds(r, row), channel);
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
        window.acquire(POINTS_IN_FLIGHT); // every request answered or failed
    }

    private void downloads(CourierClient client, List<Path> fileList, Map<Path, String> expected, Path scratch,
                           long endNanos, Counters c) {
        Random random = new Random(spec.seed() + 1);
        DownloadOptions options = DownloadOptions.defaults().withStallTimeoutMillis(spec.deadlineMillis());
        int n = 0;
        while (System.nanoTime() < endNanos && !fileList.isEmpty()) {
            Path f = fileList.get(random.nextInt(fileList.size()));
            Path dest = scratch.resolve((n++) + "-" + f.getFileName());
            long started = System.currentTimeMillis();
            try {
                DownloadResult r = new Downloader(client, options, DownloadProgress.NONE)
                        .download(f.getFileName().toString(), dest);
                if (FileDigests.sha256Hex(r.path()).equals(expected.get(f)) && Files.mismatch(f, r.path()) == -1) {
                    c.ok.incrementAndGet();
                    success(started);
                } else {
                    c.wrong.incrementAndGet();
                }
                Files.deleteIfExists(r.path());
            } catch (RuntimeException | IOException e) {
                c.failed.incrementAndGet();
            }
        }
    }
}
