package dev.courier.cli.bench;

import dev.courier.cli.common.ServerOption;
import dev.courier.client.ClientConfig;
import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.client.SampleBlock;
import dev.courier.client.SampleStream;
import dev.courier.client.Subscription;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code courier bench live}: N live records appended at R Hz each (one APPEND per record every
 * {@code --batch-ms}) and S subscribers, measuring the time from an APPEND's acknowledgement to the delivery of its
 * rows to each subscriber (p50/p99, HdrHistogram). A sample carries no clock, so the bench keeps, per record and
 * batch, the time the ACK came and the time each subscriber got the batch's first row; whichever comes second
 * records the latency (a delivery before the ACK counts as 0). Producers and subscribers share a few connections
 * each (a connection carries many subscriptions), so 1,000 of each fit in one process. {@code --stalled K} adds K
 * subscribers of record 0 that never read.
 *
 * <p>Besides that latency it reports what the producers offered (rows handed to {@code append} in the measured
 * seconds) apart from what was acknowledged, so a bench that cannot send the rate is told from a server that cannot
 * take it, and the APPEND round trip (sent to acknowledged: the group commit's wait, fsync included).
 * {@code --producer-threads} sends them from several threads, each ticking for its share of the records.
 * {@code --producer-connections} spreads the producers over more connections than the subscribers: a server takes
 * at most its in-flight cap (32) of APPENDs per connection, so 1,000 records at 50 APPENDs/s each on 8 connections
 * are capped at 256 in flight, a rate bound by the fsync's time rather than by the server's work.
 */
@Command(name = "live", mixinStandardHelpOptions = true,
        description = "Append to live records at a fixed rate and measure APPEND-acknowledged-to-delivered latency "
                + "at the subscribers (the server needs --live).")
public final class BenchLiveCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ServerOption server;

    @Option(names = "--records", paramLabel = "N", defaultValue = "1000", description = "Live records (default: "
            + "${DEFAULT-VALUE}).")
    int records;

    @Option(names = "--rate", paramLabel = "HZ", defaultValue = "250", description = "Samples/s per record.")
    double rateHz;

    @Option(names = "--subscribers-per-record", paramLabel = "K", defaultValue = "1")
    int perRecord;

    @Option(names = "--subscribers", paramLabel = "S", description = "S subscribers of one record (sets --records 1).")
    Integer subscribers;

    @Option(names = "--stalled", paramLabel = "K", defaultValue = "0", description = "Subscribers of record 0 that "
            + "never read.")
    int stalled;

    @Option(names = "--duration", paramLabel = "S", defaultValue = "10", description = "Seconds measured.")
    int durationSeconds;

    @Option(names = "--warmup", paramLabel = "S", defaultValue = "3", description = "Seconds before measuring.")
    int warmupSeconds;

    @Option(names = "--batch-ms", paramLabel = "MS", defaultValue = "20", description = "One APPEND per record "
            + "every MS ms (default: ${DEFAULT-VALUE}, 5 rows at 250 Hz).")
    int batchMillis;

    @Option(names = "--connections", paramLabel = "C", defaultValue = "8", description = "Connections for the "
            + "producers, and as many for the subscribers.")
    int connections;

    @Option(names = "--producer-connections", paramLabel = "P", description = "Connections for the producers "
            + "(default: --connections).")
    Integer producerConnections;

    @Option(names = "--producer-threads", paramLabel = "T", defaultValue = "1", description = "Threads that send "
            + "the APPENDs, each for its share of the records (default: ${DEFAULT-VALUE}).")
    int producerThreads;

    @Option(names = "--prefix", paramLabel = "P", defaultValue = "bench-", description = "Record id prefix; each run "
            + "should use a new one (records keep their samples).")
    String prefix;

    @Option(names = "--json", description = "One JSON line.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (subscribers != null) {
            records = 1;
            perRecord = subscribers;
        }
        int rows = Math.max(1, (int) Math.round(rateHz * batchMillis / 1000.0));
        int batches = (int) ((warmupSeconds + durationSeconds + 5) * 1000L / batchMillis) + 16;
        AtomicLongArray[] ackNanos = new AtomicLongArray[records];
        for (int r = 0; r < records; r++) {
            ackNanos[r] = new AtomicLongArray(batches);
        }
        Recorder latency = new Recorder(3);
        Recorder roundTrip = new Recorder(3);
        AtomicLong delivered = new AtomicLong();
        AtomicLong appended = new AtomicLong();
        AtomicLong offered = new AtomicLong();
        int producerCount = producerConnections != null ? producerConnections : connections;
        int threads = Math.max(1, Math.min(producerThreads, records));
        AtomicLong errors = new AtomicLong();
        Producers p = new Producers(rows, new long[records], ackNanos, offered, appended, errors, roundTrip);
        ClientConfig config = server.config();
        List<Connection> producers = new ArrayList<>();
        List<Connection> readers = new ArrayList<>();
        List<Subscription> subscriptions = new ArrayList<>();
        List<SampleStream> stalledStreams = new ArrayList<>();
        try (CourierClient client = new CourierClient(config);
             ScheduledExecutorService tick = Executors.newScheduledThreadPool(threads)) {
            for (int i = 0; i < Math.max(connections, producerCount); i++) {
                if (i < producerCount) {
                    producers.add(client.open());
                }
                if (i < connections) {
                    readers.add(client.open());
                }
            }
            // Batch 0 creates each record, so subscribers have something to subscribe to: all at once, a few
            // group commits rather than one fsync per record in a row.
            CompletableFuture<?>[] created = new CompletableFuture<?>[records];
            for (int r = 0; r < records; r++) {
                created[r] = appendBatch(producers.get(r % producerCount), r, 0, p);
            }
            CompletableFuture.allOf(created).join();
            int s = 0;
            for (int r = 0; r < records; r++) {
                for (int k = 0; k < perRecord; k++, s++) {
                    Subscriber subscriber = new Subscriber(ackNanos[r], rows, latency, delivered);
                    Subscription sub = readers.get(s % connections).subscribe(prefix + r, 0, new int[] {1, 2},
                            subscriber::block);
                    sub.done().whenComplete((n, e) -> {
                        if (e != null) {
                            errors.incrementAndGet();
                        }
                    });
                    subscriptions.add(sub);
                }
            }
            for (int k = 0; k < stalled; k++) {
                stalledStreams.add(readers.get(k % connections).subscribe(prefix + 0, 0, new int[] {1, 2})); // never read
            }
            // Each producer thread ticks for its own share of the records (record r is thread r % threads's), so
            // that one starved thread on a loaded machine does not hold back every record's rows.
            long batchNanos = batchMillis * 1_000_000L;
            for (int t = 0; t < threads; t++) {
                int first = t;
                int[] batch = {1};
                tick.scheduleAtFixedRate(() -> {
                    int b = batch[0]++;
                    if (b >= batches) {
                        return;
                    }
                    for (int r = first; r < records; r += threads) {
                        appendBatch(producers.get(r % producerCount), r, b, p);
                    }
                }, batchNanos, batchNanos, TimeUnit.NANOSECONDS);
            }
            Thread.sleep(warmupSeconds * 1000L);
            latency.getIntervalHistogram(); // drop the warm-up
            roundTrip.getIntervalHistogram();
            long d0 = delivered.get();
            long a0 = appended.get();
            long o0 = offered.get();
            Thread.sleep(durationSeconds * 1000L);
            Histogram h = latency.getIntervalHistogram();
            Histogram rt = roundTrip.getIntervalHistogram();
            long seconds = durationSeconds;
            long samplesDelivered = delivered.get() - d0;
            long samplesAppended = appended.get() - a0;
            long samplesOffered = offered.get() - o0;
            tick.shutdownNow();
            for (Subscription sub : subscriptions) {
                sub.close();
            }
            for (SampleStream st : stalledStreams) {
                st.close();
            }
            String line = json ? new JsonLine().put("records", records).put("subscribers", subscriptions.size())
                    .put("stalled", stalled).put("rate_hz", rateHz, 1)
                    .put("offered_samples_per_second", samplesOffered / (double) seconds, 0)
                    .put("append_p50_us", rt.getValueAtPercentile(50) / 1000.0, 1)
                    .put("append_p99_us", rt.getValueAtPercentile(99) / 1000.0, 1)
                    .put("appended_samples_per_second", samplesAppended / (double) seconds, 0)
                    .put("delivered_samples_per_second", samplesDelivered / (double) seconds, 0)
                    .put("latencies", h.getTotalCount())
                    .put("p50_us", h.getValueAtPercentile(50) / 1000.0, 1)
                    .put("p99_us", h.getValueAtPercentile(99) / 1000.0, 1)
                    .put("max_us", h.getMaxValue() / 1000.0, 1).put("errors", errors.get()).toString()
                    : String.format(Locale.ROOT, "%d records, %d subscribers (+%d stalled): offered %.0f samples/s,"
                                    + " appended %.0f samples/s (APPEND round trip p50 %.0f us, p99 %.0f us),"
                                    + " delivered %.0f samples/s; ack->delivery p50 %.0f us, p99 %.0f us, max %.0f us;"
                                    + " %d errors", records, subscriptions.size(), stalled,
                            samplesOffered / (double) seconds, samplesAppended / (double) seconds,
                            rt.getValueAtPercentile(50) / 1000.0, rt.getValueAtPercentile(99) / 1000.0,
                            samplesDelivered / (double) seconds,
                            h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
                            h.getMaxValue() / 1000.0, errors.get());
            PrintWriter out = spec.commandLine().getOut();
            out.println(line);
            out.flush();
            // Before the connections close: a subscription still ending then fails with CONNECTION_CLOSED.
            long failures = errors.get();
            for (Connection c : producers) {
                c.closeAsync();
            }
            for (Connection c : readers) {
                c.closeAsync();
            }
            return failures == 0 ? 0 : 1;
        }
    }

    /**
     * The producers' side: rows per APPEND, each record's next sample (its producer thread's), when each batch was
     * acknowledged, and the counters.
     */
    private record Producers(int rows, long[] next, AtomicLongArray[] ackNanos, AtomicLong offered,
                             AtomicLong appended, AtomicLong errors, Recorder roundTrip) {
    }

    private CompletableFuture<?> appendBatch(Connection c, int record, int batch, Producers p) {
        int rows = p.rows;
        long first = p.next[record];
        p.next[record] += rows;
        double[] times = new double[rows];
        double[] values = new double[rows * 2];
        for (int i = 0; i < rows; i++) {
            times[i] = (first + i) / rateHz;
            values[2 * i] = first + i;
            values[2 * i + 1] = -(first + i);
        }
        long sent = System.nanoTime();
        p.offered.addAndGet(rows);
        return c.append(prefix + record, rateHz, 2, times, values).whenComplete((a, e) -> {
            if (e != null) {
                p.errors.incrementAndGet();
                return;
            }
            long now = System.nanoTime();
            p.appended.addAndGet(a.rows());
            p.roundTrip.recordValue(now - sent);
            p.ackNanos[record].set(batch, now);
        });
    }

    /**
     * One subscriber, its blocks pushed on a client event loop: for each batch's first row, the time from its ACK
     * (0 when the row came before the producer heard its ACK: the server fans out, then acknowledges).
     */
    private record Subscriber(AtomicLongArray acks, int rows, Recorder latency, AtomicLong delivered) {
        void block(SampleBlock b) {
            long now = System.nanoTime();
            delivered.addAndGet(b.rows());
            for (int r = 0; r < b.rows(); r++) {
                long index = b.sampleIndex(r);
                if (index % rows != 0) {
                    continue;
                }
                int batch = (int) (index / rows);
                if (batch >= acks.length()) {
                    continue;
                }
                long ack = acks.get(batch);
                latency.recordValue(ack == 0 ? 0 : Math.max(0, now - ack));
            }
        }
    }
}
