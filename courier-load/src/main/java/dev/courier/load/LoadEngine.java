package dev.courier.load;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Drives a {@link Target} with C connections and measures latency with HdrHistogram. Two modes:
 * <ul>
 *   <li><b>closed loop</b> ({@code rate == 0}): P requests in flight on each connection, a new one sent as soon as
 *   one completes; latency is measured from the actual send.</li>
 *   <li><b>open loop</b> ({@code rate > 0}): requests are due at a fixed total rate, spread round-robin over the
 *   connections; at most P are in flight per connection and the rest wait. Latency is measured from the
 *   <em>intended</em> send time, so a stalled server or a full pipeline shows up as latency instead of being
 *   hidden by sending less (no coordinated omission).</li>
 * </ul>
 * A warm-up period runs first and is not counted. Only completions inside the measured window count; after it no
 * request is sent and those still in flight are waited for (bounded by {@code drainMillis}) and dropped.
 *
 * <p>Latencies of correct answers go to the histogram (nanoseconds); wrong answers and failures are counted as
 * errors. {@link #run} blocks the calling thread for the warm-up and the window; the open loop's pacer is a thread
 * of its own, and completions arrive on the target's I/O threads. Runs may go on in parallel, each with its own
 * target.
 */
public final class LoadEngine {
    private LoadEngine() {
    }

    /**
     * What to run.
     *
     * @param connections    connections opened, 1 to 100,000
     * @param pipeline       requests in flight per connection, at least 1
     * @param durationNanos  length of the measured window
     * @param warmupNanos    unmeasured run before it, 0 or more
     * @param ratePerSecond  total requests per second for the open loop; 0 for the closed loop
     * @param drainMillis    how long to wait at the end for requests still in flight
     */
    public record Spec(int connections, int pipeline, long durationNanos, long warmupNanos, double ratePerSecond,
                       long drainMillis) {
        public Spec {
            if (connections < 1 || connections > 100_000) {
                throw new IllegalArgumentException("connections must be 1 to 100000: " + connections);
            }
            if (pipeline < 1 || pipeline > 1_000_000) {
                throw new IllegalArgumentException("pipeline must be 1 to 1000000: " + pipeline);
            }
            if (durationNanos < TimeUnit.MILLISECONDS.toNanos(10) || durationNanos > TimeUnit.HOURS.toNanos(24)) {
                throw new IllegalArgumentException("duration must be 0.01 s to 24 h");
            }
            if (warmupNanos < 0 || warmupNanos > TimeUnit.HOURS.toNanos(1)) {
                throw new IllegalArgumentException("warm-up must be 0 to 1 h");
            }
            if (!(ratePerSecond >= 0) || ratePerSecond > 1e9) {
                throw new IllegalArgumentException("rate must be 0 (closed loop) to 1e9 requests/s: "
                        + ratePerSecond);
            }
            if (drainMillis < 0) {
                throw new IllegalArgumentException("drainMillis must be >= 0");
            }
        }

        /** True for the open loop (a rate was given), false for the closed loop. */
        public boolean openLoop() {
            return ratePerSecond > 0;
        }
    }

    /**
     * What was measured in the window.
     *
     * @param requests      requests completed in the window, correct or not
     * @param errors        of those, wrong answers plus failures
     * @param wrong         answers that arrived but differed from the data
     * @param failed        requests that got no answer (error reply, timeout, lost connection)
     * @param windowNanos   length of the measured window as it ran
     * @param latencyNanos  latencies of the correct answers, in nanoseconds
     * @param firstProblem  the first error's description, or null
     */
    public record Result(long requests, long errors, long wrong, long failed, long windowNanos,
                         Histogram latencyNanos, String firstProblem) {
        /** The measured window in seconds. */
        public double seconds() {
            return windowNanos / 1e9;
        }

        /** Requests completed in the window (correct or not) per second. */
        public double requestsPerSecond() {
            return requests / seconds();
        }

        /**
         * A percentile of the latency in microseconds (0 when nothing was recorded).
         *
         * @param percentile 0 to 100, for example 99.9
         */
        public double percentileMicros(double percentile) {
            return latencyNanos.getTotalCount() == 0 ? 0 : latencyNanos.getValueAtPercentile(percentile) / 1e3;
        }

        /** The highest latency in microseconds (0 when nothing was recorded). */
        public double maxMicros() {
            return latencyNanos.getTotalCount() == 0 ? 0 : latencyNanos.getMaxValue() / 1e3;
        }

        /** The mean latency in microseconds (0 when nothing was recorded). */
        public double meanMicros() {
            return latencyNanos.getTotalCount() == 0 ? 0 : latencyNanos.getMean() / 1e3;
        }
    }

    /** Shared by every connection of one run. */
    private static final class Stats {
        final Recorder recorder = new Recorder(3);
        final LongAdder wrong = new LongAdder();
        final LongAdder failed = new LongAdder();
        final AtomicReference<String> firstProblem = new AtomicReference<>();
        volatile long stopAtNanos = Long.MAX_VALUE;
    }

    /**
     * Opens the connections, runs warm-up and window, closes the connections. The target stays open: the caller
     * closes it.
     *
     * @throws IllegalStateException when a connection cannot be opened (or the target's own exception, as thrown)
     */
    public static Result run(Target target, Spec spec) throws InterruptedException {
        List<CompletableFuture<Target.Session>> opening = new ArrayList<>(spec.connections());
        for (int i = 0; i < spec.connections(); i++) {
            opening.add(target.open());
        }
        List<Target.Session> sessions = new ArrayList<>(spec.connections());
        try {
            for (CompletableFuture<Target.Session> f : opening) {
                sessions.add(f.get(30, TimeUnit.SECONDS));
            }
        } catch (Exception e) {
            for (CompletableFuture<Target.Session> f : opening) {
                f.thenAccept(Target.Session::close);
            }
            Throwable c = e instanceof ExecutionException && e.getCause() != null
                    ? e.getCause() : e;
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("cannot open " + spec.connections() + " connections: " + c, c);
        }
        try {
            return measure(sessions, spec);
        } finally {
            for (Target.Session s : sessions) {
                s.close();
            }
        }
    }

    private static Result measure(List<Target.Session> sessions, Spec spec) throws InterruptedException {
        Stats stats = new Stats();
        int c = sessions.size();
        CountDownLatch drained = new CountDownLatch(c);
        Driver[] drivers = new Driver[c];
        for (int i = 0; i < c; i++) {
            drivers[i] = new Driver(sessions.get(i), i, c, spec, stats, drained);
        }
        long start = System.nanoTime();
        long windowStart = start + spec.warmupNanos();
        long windowEnd = windowStart + spec.durationNanos();
        stats.stopAtNanos = windowEnd;
        Thread pacer = null;
        if (spec.openLoop()) {
            pacer = Thread.ofPlatform().name("courier-bench-pacer").daemon().start(
                    () -> pace(drivers, spec.ratePerSecond(), start, windowEnd));
        } else {
            for (Driver d : drivers) {
                d.startClosedLoop();
            }
        }
        sleepUntil(windowStart);
        stats.recorder.getIntervalHistogram(); // the warm-up, discarded
        long wrongBefore = stats.wrong.sum();
        long failedBefore = stats.failed.sum();
        stats.firstProblem.set(null);
        long measuredFrom = System.nanoTime();
        sleepUntil(windowEnd);
        Histogram window = stats.recorder.getIntervalHistogram();
        long measuredTo = System.nanoTime();
        long wrong = stats.wrong.sum() - wrongBefore;
        long failed = stats.failed.sum() - failedBefore;
        String firstProblem = stats.firstProblem.get();
        if (pacer != null) {
            pacer.join(1_000);
        }
        for (Driver d : drivers) {
            d.finish();
        }
        drained.await(spec.drainMillis(), TimeUnit.MILLISECONDS);
        long errors = wrong + failed;
        return new Result(window.getTotalCount() + errors, errors, wrong, failed, measuredTo - measuredFrom, window,
                firstProblem);
    }

    /**
     * The open loop's clock: request j is due at {@code start + j / rate} on connection {@code j mod C}. Sleeps
     * between due times when they are far enough apart, otherwise hands out every request that is due.
     */
    private static void pace(Driver[] drivers, double ratePerSecond, long start, long end) {
        double intervalNanos = 1e9 / ratePerSecond;
        long j = 0;
        while (true) {
            long now = System.nanoTime();
            if (now - end >= 0) {
                return;
            }
            long due = start + (long) (j * intervalNanos);
            if (due - now > 20_000) {
                LockSupport.parkNanos(Math.min(due - now, end - now) - 10_000);
                continue;
            }
            while (due - now <= 0 && due - end < 0) {
                drivers[(int) (j % drivers.length)].due(due);
                j++;
                due = start + (long) (j * intervalNanos);
            }
        }
    }

    private static void sleepUntil(long deadlineNanos) throws InterruptedException {
        long left;
        while ((left = deadlineNanos - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    /** One connection's sender: its own key sequence, its in-flight count, and (open loop) its backlog. */
    private static final class Driver implements Target.Callback {
        private final Target.Session session;
        private final long keyStride;
        private final Spec spec;
        private final Stats stats;
        private final CountDownLatch drained;
        private long nextKey;
        private int inFlight;
        private boolean stopped;
        private boolean counted;
        /** Open loop: intended send times of due requests waiting for a free pipeline slot (a ring). */
        private long[] backlog = new long[16];
        private int backlogHead;
        private int backlogSize;

        Driver(Target.Session session, int index, int connections, Spec spec, Stats stats, CountDownLatch drained) {
            this.session = session;
            this.keyStride = connections;
            this.nextKey = index;
            this.spec = spec;
            this.stats = stats;
            this.drained = drained;
        }

        synchronized void startClosedLoop() {
            for (int i = 0; i < spec.pipeline() && !stopped; i++) {
                send(System.nanoTime());
            }
            checkDrained();
        }

        /** Open loop: a request is due at {@code intendedNanos}. */
        synchronized void due(long intendedNanos) {
            if (stopped) {
                return;
            }
            if (inFlight < spec.pipeline()) {
                send(intendedNanos);
            } else {
                enqueue(intendedNanos);
            }
        }

        private void send(long token) {
            if (!session.isOpen()) {
                stopped = true;
                return;
            }
            long key = nextKey;
            nextKey += keyStride;
            inFlight++;
            session.send(key, token, this);
        }

        @Override
        public synchronized void completed(long token, Target.Outcome outcome, String problem) {
            long now = System.nanoTime();
            inFlight--;
            switch (outcome) {
                case CORRECT -> stats.recorder.recordValue(Math.max(0, now - token));
                case WRONG -> {
                    stats.wrong.increment();
                    stats.firstProblem.compareAndSet(null, problem);
                }
                case FAILED -> {
                    stats.failed.increment();
                    stats.firstProblem.compareAndSet(null, problem);
                    if (!session.isOpen()) {
                        stopped = true;
                    }
                }
            }
            if (!stopped && now - stats.stopAtNanos < 0) {
                if (spec.openLoop()) {
                    if (backlogSize > 0) {
                        send(dequeue());
                    }
                } else {
                    send(now);
                }
            }
            checkDrained();
        }

        /** No more sends; the latch counts down once nothing is in flight. */
        synchronized void finish() {
            stopped = true;
            backlogSize = 0;
            checkDrained();
        }

        private void checkDrained() {
            if (stopped && inFlight == 0 && !counted) {
                counted = true;
                drained.countDown();
            }
        }

        private void enqueue(long t) {
            if (backlogSize == backlog.length) {
                long[] bigger = new long[backlog.length * 2];
                for (int i = 0; i < backlogSize; i++) {
                    bigger[i] = backlog[(backlogHead + i) % backlog.length];
                }
                backlog = bigger;
                backlogHead = 0;
            }
            backlog[(backlogHead + backlogSize) % backlog.length] = t;
            backlogSize++;
        }

        private long dequeue() {
            long t = backlog[backlogHead];
            backlogHead = (backlogHead + 1) % backlog.length;
            backlogSize--;
            return t;
        }
    }
}
