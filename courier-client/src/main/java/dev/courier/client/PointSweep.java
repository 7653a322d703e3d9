package dev.courier.client;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Requests {@code samplesPerRecord} consecutive samples (times 0, step, 2 step, ...) of each record, one request
 * per point, spread over several connections with several requests in flight on each, and bins the values.
 * This is the old system's workload, and the load behind {@code courier points} and {@code courier demo}.
 *
 * @param records          record ids, in the order results are reported
 * @param samplesPerRecord points asked per record
 * @param stepSeconds      time between consecutive points
 * @param channel          channel to read, numbered from 1
 * @param connections      connections to spread the requests over
 * @param pipeline         requests in flight per connection
 * @param bins             the histograms' bins
 */
public record PointSweep(List<String> records, int samplesPerRecord, double stepSeconds, int channel, int connections,
                         int pipeline, BinEdges bins) {
    public PointSweep {
        records = List.copyOf(records);
        Objects.requireNonNull(bins);
        if (records.isEmpty() || samplesPerRecord < 1 || connections < 1 || pipeline < 1 || channel < 1
                || !(stepSeconds > 0)) {
            throw new IllegalArgumentException("records, samples, connections, pipeline, channel and step must "
                    + "all be positive");
        }
    }

    /** A sweep binned in ten bins over [-2, 2), the old system's histograms. */
    public PointSweep(List<String> records, int samplesPerRecord, double stepSeconds, int channel, int connections,
                      int pipeline) {
        this(records, samplesPerRecord, stepSeconds, channel, connections, pipeline, BinEdges.DEFAULT);
    }

    /** Histograms per record, in request order, and how long it took. */
    public record Result(Map<String, BinnedHistogram> histograms, long requests, long elapsedNanos) {
        public Result {
            histograms = Collections.unmodifiableMap(new LinkedHashMap<>(histograms));
        }

        public double seconds() {
            return elapsedNanos / 1e9;
        }

        public double requestsPerSecond() {
            return requests / seconds();
        }
    }

    /** The time of the {@code i}-th sample of a record. */
    public double timeOf(int i) {
        return i * stepSeconds;
    }

    /**
     * Runs the sweep against the server of {@code client}.
     *
     * @throws CourierException the first failure of any request
     */
    public Result run(CourierClient client) {
        long total = (long) records.size() * samplesPerRecord;
        int used = (int) Math.min(connections, total);
        List<CompletableFuture<Connection>> opening = new ArrayList<>();
        for (int i = 0; i < used; i++) {
            opening.add(client.connect());
        }
        List<Connection> open = new ArrayList<>();
        try {
            for (CompletableFuture<Connection> f : opening) {
                open.add(f.join());
            }
            long start = System.nanoTime();
            List<Worker> workers = new ArrayList<>();
            long perConnection = total / used;
            long extra = total % used;
            long from = 0;
            for (int i = 0; i < used; i++) {
                long n = perConnection + (i < extra ? 1 : 0);
                workers.add(new Worker(open.get(i), from, from + n));
                from += n;
            }
            workers.forEach(Worker::start);
            for (Worker w : workers) {
                w.done.join();
            }
            long elapsed = System.nanoTime() - start;
            Map<String, BinnedHistogram> merged = new LinkedHashMap<>();
            for (int r = 0; r < records.size(); r++) {
                BinnedHistogram h = new BinnedHistogram(bins);
                for (Worker w : workers) {
                    h.addAll(w.histograms[r]);
                }
                merged.put(records.get(r), h);
            }
            return new Result(merged, total, elapsed);
        } catch (RuntimeException e) {
            throw CourierException.unwrap(e);
        } finally {
            for (CompletableFuture<Connection> f : opening) {
                f.thenAccept(Connection::close);
            }
        }
    }

    /** One connection's share: a contiguous range of the (record, sample) sequence. Runs on its event loop. */
    private final class Worker {
        private final Connection connection;
        private final long end;
        private final BinnedHistogram[] histograms = new BinnedHistogram[records.size()];
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private long next;
        private long outstanding;

        Worker(Connection connection, long from, long end) {
            this.connection = Objects.requireNonNull(connection);
            this.next = from;
            this.end = end;
            for (int i = 0; i < histograms.length; i++) {
                histograms[i] = new BinnedHistogram(bins);
            }
        }

        void start() {
            if (next >= end) {
                done.complete(null);
                return;
            }
            synchronized (this) {
                for (int i = 0; i < pipeline && next < end; i++) {
                    send();
                }
            }
        }

        private void send() {
            long k = next++;
            outstanding++;
            int record = (int) (k / samplesPerRecord);
            int sample = (int) (k % samplesPerRecord);
            connection.point(records.get(record), timeOf(sample), channel)
                    .whenComplete((reply, err) -> onReply(record, reply, err));
        }

        private synchronized void onReply(int record, Point reply, Throwable err) {
            if (err != null) {
                done.completeExceptionally(CourierException.unwrap(err));
                return;
            }
            histograms[record].add(reply.value());
            outstanding--;
            if (next < end && !done.isDone()) {
                send();
            } else if (outstanding == 0) {
                done.complete(null);
            }
        }
    }
}
