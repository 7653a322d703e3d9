package dev.courier.server.ops;

import dev.courier.protocol.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntSupplier;

/**
 * The server's metrics, in a Micrometer registry scraped as Prometheus text at {@code /metrics}: made only when the
 * operations port is on ({@code serve --metrics}), so a server without it registers nothing and its handlers skip
 * every hook at one null check. Names are Micrometer's dotted ones, which the Prometheus registry turns into
 * {@code courier_..._total} counters and base units ({@code _seconds}, {@code _bytes}; the byte counters carry the
 * unit in their names already, {@code courier_bytes_sent_total}); every label value comes
 * from an enum ({@link RequestType}, {@link ErrorCode}, {@link Port}, {@link ConnectionRefusal}), never from what a
 * client sends, so the number of series is bounded. docs/operations.md lists them all.
 *
 * <p>The per-request meters are made on first use and then found by array index, so a request costs two clock reads,
 * one histogram record and one counter increment, and no allocation. Thread-safe: recorded on the event loops and
 * the blocking executor, scraped on the operations port's loop.
 */
public final class ServerMetrics implements AutoCloseable {
    /** The {@code port} label: which listener a connection came in on. */
    public enum Port {
        COURIER,
        LEGACY;

        final String label = name().toLowerCase(Locale.ROOT);
    }

    private static final ErrorCode[] CODES = ErrorCode.values();
    /** Outcome 0 is {@code ok}; outcome 1 + c is error code c. */
    private static final int OUTCOMES = 1 + CODES.length;

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc;
    private final AtomicReferenceArray<Counter> requests;
    private final AtomicReferenceArray<Timer> durations;
    private final Counter[] accepted;
    private final Counter[] rejected;
    private final ByteCounter[] bytes;
    private final Counter fileBytesSent;
    private final Counter uploadsStarted;
    private final Counter uploadsCommitted;
    private final Counter uploadsFailed;

    private ServerMetrics(PrometheusMeterRegistry registry, JvmGcMetrics gc) {
        this.registry = registry;
        this.gc = gc;
        requests = new AtomicReferenceArray<>(RequestType.values().length * OUTCOMES);
        durations = new AtomicReferenceArray<>(RequestType.values().length);
        accepted = new Counter[Port.values().length];
        bytes = new ByteCounter[Port.values().length];
        for (Port p : Port.values()) {
            accepted[p.ordinal()] = Counter.builder("courier.connections.accepted").tag("port", p.label)
                    .description("Connections accepted and admitted").register(registry);
            bytes[p.ordinal()] = new ByteCounter(
                    Counter.builder("courier.bytes.received").tag("port", p.label)
                            .description("Bytes read from clients' sockets (TLS records included)").register(registry),
                    Counter.builder("courier.bytes.sent").tag("port", p.label)
                            .description("Bytes handed to clients' sockets (TLS records included)").register(registry));
        }
        rejected = new Counter[ConnectionRefusal.values().length];
        for (ConnectionRefusal r : ConnectionRefusal.values()) {
            rejected[r.ordinal()] = Counter.builder("courier.connections.rejected").tag("reason", r.label)
                    .description("Connections turned away by a limit").register(registry);
        }
        fileBytesSent = Counter.builder("courier.file.bytes.sent")
                .description("File contents sent in chunks answering READ (streams not counted yet)").register(registry);
        uploadsStarted = Counter.builder("courier.uploads.started")
                .description("UPLOAD_BEGINs accepted (new or resumed)").register(registry);
        uploadsCommitted = Counter.builder("courier.uploads.committed")
                .description("Uploads committed: verified and in place").register(registry);
        uploadsFailed = Counter.builder("courier.uploads.failed")
                .description("UPLOAD_WRITEs and UPLOAD_COMMITs answered with an error").register(registry);
    }

    /** A registry with the JVM's meters and Netty's allocator memory bound to it. */
    public static ServerMetrics start() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider) {
            ByteBufAllocatorMetric m = provider.metric();
            Gauge.builder("courier.netty.allocator.used.direct", m, ByteBufAllocatorMetric::usedDirectMemory)
                    .baseUnit("bytes").description("Direct memory held by Netty's buffer allocator")
                    .strongReference(true).register(registry);
            Gauge.builder("courier.netty.allocator.used.heap", m, ByteBufAllocatorMetric::usedHeapMemory)
                    .baseUnit("bytes").description("Heap memory held by Netty's buffer allocator")
                    .strongReference(true).register(registry);
        }
        return new ServerMetrics(registry, gc);
    }

    /**
     * Records one request that has been answered: its type, {@code null} for success or the code of the ERROR it got,
     * and the {@link System#nanoTime()} at which it was read.
     */
    public void request(RequestType type, ErrorCode failure, long startNanos) {
        long nanos = System.nanoTime() - startNanos;
        int t = type.ordinal();
        Timer timer = durations.get(t);
        if (timer == null) {
            timer = Timer.builder("courier.request.duration").tag("type", type.label())
                    .description("From reading a request to writing its answer (for streams: to opening them)")
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofNanos(1_000)).maximumExpectedValue(Duration.ofSeconds(60))
                    .register(registry);
            durations.set(t, timer);
        }
        timer.record(nanos, TimeUnit.NANOSECONDS);
        int i = t * OUTCOMES + (failure == null ? 0 : 1 + failure.ordinal());
        Counter c = requests.get(i);
        if (c == null) {
            c = Counter.builder("courier.requests").tag("type", type.label())
                    .tag("outcome", failure == null ? "ok" : failure.name().toLowerCase(Locale.ROOT))
                    .description("Requests answered, by type and outcome (ok or the error code)").register(registry);
            requests.set(i, c);
        }
        c.increment();
        switch (type) {
            case UPLOAD_BEGIN -> {
                if (failure == null) {
                    uploadsStarted.increment();
                }
            }
            case UPLOAD_COMMIT -> (failure == null ? uploadsCommitted : uploadsFailed).increment();
            case UPLOAD_WRITE -> {
                if (failure != null) {
                    uploadsFailed.increment();
                }
            }
            default -> {
                // Other requests have no meter of their own.
            }
        }
    }

    public void accepted(Port port) {
        accepted[port.ordinal()].increment();
    }

    public void rejected(ConnectionRefusal reason) {
        rejected[reason.ordinal()].increment();
    }

    /** File contents about to be sent in a chunk. */
    public void fileBytesSent(long n) {
        fileBytesSent.increment(n);
    }

    /** The pipeline handler that counts a port's bytes in and out; one shared by every connection of the port. */
    public ChannelHandler byteCounter(Port port) {
        return bytes[port.ordinal()];
    }

    /** {@code courier_connections_open{port}}: read from {@code open} at each scrape. */
    public void openConnections(Port port, IntSupplier open) {
        Gauge.builder("courier.connections.open", open, IntSupplier::getAsInt).tag("port", port.label)
                .description("Connections open now").strongReference(true).register(registry);
    }

    /** {@code courier_event_loop_pending_tasks}: tasks queued on the I/O loops, summed, at each scrape. */
    public void eventLoops(EventLoopGroup group) {
        Gauge.builder("courier.event.loop.pending.tasks", group, ServerMetrics::pendingTasks)
                .description("Tasks waiting on the I/O event loops; a growing number means the loops are behind")
                .strongReference(true).register(registry);
    }

    private static double pendingTasks(EventLoopGroup group) {
        long n = 0;
        for (EventExecutor e : group) {
            if (e instanceof SingleThreadEventExecutor s) {
                n += s.pendingTasks();
            }
        }
        return n;
    }

    /** Every meter in the Prometheus text format (version 0.0.4). */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
