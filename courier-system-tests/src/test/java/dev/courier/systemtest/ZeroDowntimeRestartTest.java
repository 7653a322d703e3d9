package dev.courier.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.client.Backoff;
import dev.courier.client.ClientConfig;
import dev.courier.client.CourierClient;
import dev.courier.client.Point;
import dev.courier.client.ResilientConnection;
import dev.courier.server.testing.CsvTruth;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A server restarted without downtime: a new process started with --reuse-port on the same port takes the new
 * connections while the old one, sent SIGTERM, stops accepting, refuses new requests with SHUTTING_DOWN and finishes
 * those in flight. Clients doing points all along through ResilientConnection see no failure and no wrong answer.
 */
class ZeroDowntimeRestartTest {
    private static final int WORKERS = 8;
    private static final long ANSWERS_PER_PHASE = 3_000;

    /** Counts answers; a phase waits until the count reaches its mark, with no polling. */
    private static final class Progress {
        private final AtomicLong answered = new AtomicLong();
        private volatile long mark = Long.MAX_VALUE;
        private volatile CompletableFuture<Void> reached = new CompletableFuture<>();

        void answered() {
            if (answered.incrementAndGet() >= mark) {
                reached.complete(null);
            }
        }

        /** Completes once {@code more} answers beyond the current count have arrived. */
        CompletableFuture<Void> after(long more) {
            reached = new CompletableFuture<>();
            mark = answered.get() + more;
            if (answered.get() >= mark) {
                reached.complete(null);
            }
            return reached;
        }
    }

    @Test
    void aReplacementStartedWithReusePortTakesOverWhileTheOldServerDrainsAndNoRequestFails() throws Exception {
        CsvTruth truth = CsvTruth.load();
        String data = CsvTruth.dataDir().toString();
        CourierProcess old = CourierProcess.server("--port", "0", "--reuse-port", "--data", data,
                "--shutdown-grace-ms", "5000");
        int port = ProcessFaultsTest.portOf(old);
        CourierProcess replacement = null;
        Progress progress = new Progress();
        AtomicLong wrong = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<ResilientConnection> connections = new ArrayList<>();
        CompletableFuture<Void> stop = new CompletableFuture<>();
        try (CourierClient client = new CourierClient(ClientConfig.of("127.0.0.1", port)
                .withRequestTimeoutMillis(5_000));
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            try {
                List<Future<?>> workers = new ArrayList<>();
                for (int w = 0; w < WORKERS; w++) {
                    ResilientConnection points = new ResilientConnection(client, 20_000, new Backoff(10, 200));
                    connections.add(points);
                    int worker = w;
                    workers.add(pool.submit(() -> {
                        for (long i = worker; !stop.isDone(); i += WORKERS) {
                            String record = String.valueOf(1 + i % 15);
                            int index = (int) (i / 15 % 15_000);
                            int channel = 1 + (int) (i % 2);
                            Point r;
                            try {
                                r = points.point(record, index * 0.004, channel).get(30, TimeUnit.SECONDS);
                            } catch (Exception e) {
                                failure.compareAndSet(null, e);
                                return null;
                            }
                            if (r.sampleIndex() != index || r.value() != truth.value(record, index, channel)) {
                                wrong.incrementAndGet();
                            }
                            progress.answered();
                        }
                        return null;
                    }));
                }
                progress.after(ANSWERS_PER_PHASE).get(60, TimeUnit.SECONDS);

                replacement = CourierProcess.server("--port", String.valueOf(port), "--reuse-port", "--data", data);
                CompletableFuture<Void> duringDrain = progress.after(ANSWERS_PER_PHASE);
                old.terminate();
                old.awaitLine(l -> l.equals("err: courier: stopped"), 30);
                assertThat(old.waitFor(30)).isEqualTo(143); // 128 + SIGTERM, after the shutdown hook drained
                duringDrain.get(60, TimeUnit.SECONDS);
                // Every connection now ends on the replacement, and still nothing fails.
                progress.after(ANSWERS_PER_PHASE).get(60, TimeUnit.SECONDS);
                stop.complete(null);
                for (Future<?> f : workers) {
                    f.get(60, TimeUnit.SECONDS);
                }
                assertThat(failure.get()).as("a request failed during the swap").isNull();
                assertThat(wrong.get()).as("wrong answers").isZero();
                assertThat(progress.answered.get()).isGreaterThanOrEqualTo(3 * ANSWERS_PER_PHASE);
            } finally {
                stop.complete(null); // else the pool, closing, would wait for workers that never stop
            }
        } finally {
            for (ResilientConnection c : connections) {
                c.close();
            }
            old.close();
            if (replacement != null) {
                replacement.close();
            }
        }
    }
}
