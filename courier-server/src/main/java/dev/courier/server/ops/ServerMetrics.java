package dev.courier.server.ops;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.MessageType;
import dev.courier.transport.FrameMeter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
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
import java.util.concurrent.atomic.LongAdder;
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

    /**
     * The {@code kind} label of {@code courier_bytes_received_total} and {@code courier_bytes_sent_total}: what the
     * bytes carried, so that the kinds of a port add up to its bytes. On the Courier port, {@code file}: file
     * contents, in CHUNKs answering READ and READ_STREAM and in UPLOAD_WRITEs (their data, not their headers);
     * {@code samples}: POINT and POINT_BATCH requests and their replies, APPENDs (whole frames), and the rows in the
     * CHUNKs of RANGE_STREAM and SUBSCRIBE; {@code control}: the rest of the wire (frame headers, every other request
     * and reply, TLS records). On the legacy port, {@code file}: the file contents that answer FILE chunk requests
     * (the whole reply, which has no header); {@code samples}: DATA requests and their value replies (whole
     * requests and replies); {@code control}: the rest (FILE requests, size replies, QUIT and unknown types with
     * their one-byte replies, bytes that are not a request).
     */
    public enum Kind {
        FILE,
        SAMPLES,
        CONTROL;

        final String label = name().toLowerCase(Locale.ROOT);
    }

    /**
     * One port's bytes in one direction: the wire's total (from its {@link ByteCounter}), the file and sample bytes
     * counted where they are written or read, and control as the difference, read at each scrape. A write is counted
     * on the wire when it is handed to the socket, which under TLS can be after its kind was counted, so control keeps
     * the highest value it has shown: a counter must never go down.
     */
    private static final class Split {
        final LongAdder wire;
        final LongAdder file = new LongAdder();
        final LongAdder samples = new LongAdder();
        /** Guarded by this. */
        private long controlShown;

        Split(LongAdder wire) {
            this.wire = wire;
        }

        synchronized double control() {
            long kinds = file.sum() + samples.sum(); // before the wire, which is counted first
            controlShown = Math.max(controlShown, wire.sum() - kinds);
            return controlShown;
        }
    }

    /**
     * One port's bytes: the pipeline handler that counts them on the wire, and their split by kind in each direction.
     * Every connection of the port shares it.
     */
    private static final class PortBytes {
        final ByteCounter wire = new ByteCounter();
        final Split received;
        final Split sent;

        PortBytes(PrometheusMeterRegistry registry, Port port) {
            received = split(registry, "courier.bytes.received", port, wire.received,
                    "Bytes read from clients' sockets");
            sent = split(registry, "courier.bytes.sent", port, wire.sent, "Bytes handed to clients' sockets");
        }
    }

    private static final ErrorCode[] CODES = ErrorCode.values();
    private static final int UPLOAD_WRITE = MessageType.UPLOAD_WRITE.code();
    private static final int POINT = MessageType.POINT.code();
    private static final int POINT_BATCH = MessageType.POINT_BATCH.code();
    private static final int APPEND = MessageType.APPEND.code();
    /** Outcome 0 is {@code ok}; outcome 1 + c is error code c. */
    private static final int OUTCOMES = 1 + CODES.length;

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc;
    private final AtomicReferenceArray<Counter> requests;
    private final AtomicReferenceArray<Timer> durations;
    private final Counter[] accepted;
    private final Counter[] rejected;
    /** By {@link Port#ordinal()}. */
    private final PortBytes[] bytes;
    private final Counter chunksRefetched;
    private final Counter chunksRefetchedBytes;
    private final Counter uploadsStarted;
    private final Counter uploadsCommitted;
    private final Counter uploadsFailed;

    private ServerMetrics(PrometheusMeterRegistry registry, JvmGcMetrics gc) {
        this.registry = registry;
        this.gc = gc;
        requests = new AtomicReferenceArray<>(RequestType.values().length * OUTCOMES);
        durations = new AtomicReferenceArray<>(RequestType.values().length);
        accepted = new Counter[Port.values().length];
        bytes = new PortBytes[Port.values().length];
        for (Port p : Port.values()) {
            accepted[p.ordinal()] = Counter.builder("courier.connections.accepted").tag("port", p.label)
                    .description("Connections accepted and admitted").register(registry);
            bytes[p.ordinal()] = new PortBytes(registry, p);
        }
        rejected = new Counter[ConnectionRefusal.values().length];
        for (ConnectionRefusal r : ConnectionRefusal.values()) {
            rejected[r.ordinal()] = Counter.builder("courier.connections.rejected").tag("reason", r.label)
                    .description("Connections turned away by a limit").register(registry);
        }
        chunksRefetched = Counter.builder("courier.chunks.refetched")
                .description("Chunks sent for a READ or READ_STREAM flagged REFETCH: asked again after a bad CRC32C")
                .register(registry);
        chunksRefetchedBytes = Counter.builder("courier.chunks.refetched.bytes")
                .description("File bytes in the chunks of courier_chunks_refetched_total").register(registry);
        uploadsStarted = Counter.builder("courier.uploads.started")
                .description("UPLOAD_BEGINs accepted (new or resumed)").register(registry);
        uploadsCommitted = Counter.builder("courier.uploads.committed")
                .description("Uploads committed: verified and in place").register(registry);
        uploadsFailed = Counter.builder("courier.uploads.failed")
                .description("UPLOAD_WRITEs and UPLOAD_COMMITs of an upload this server holds, answered with an error")
                .register(registry);
    }

    /** Registers the {@code kind} series of one port's bytes in one direction, whose total is {@code wire}. */
    private static Split split(PrometheusMeterRegistry registry, String name, Port port, LongAdder wire,
                               String description) {
        Split split = new Split(wire);
        String what = description + ", by what they carried (TLS records are control)";
        FunctionCounter.builder(name, split, x -> x.file.sum()).tags("port", port.label, "kind", Kind.FILE.label)
                .description(what).register(registry);
        FunctionCounter.builder(name, split, x -> x.samples.sum())
                .tags("port", port.label, "kind", Kind.SAMPLES.label).description(what).register(registry);
        FunctionCounter.builder(name, split, Split::control).tags("port", port.label, "kind", Kind.CONTROL.label)
                .description(what).register(registry);
        return split;
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
            case UPLOAD_COMMIT -> {
                if (failure == null) {
                    uploadsCommitted.increment();
                } else if (failsAnUpload(failure)) {
                    uploadsFailed.increment();
                }
            }
            case UPLOAD_WRITE -> {
                if (failure != null && failsAnUpload(failure)) {
                    uploadsFailed.increment();
                }
            }
            default -> {
                // Other requests have no meter of their own.
            }
        }
    }

    /**
     * Whether an UPLOAD_WRITE or UPLOAD_COMMIT answered with {@code failure} is a failed upload. UNKNOWN_UPLOAD names
     * no upload this server holds, so none failed: a client's probe for the SHA-256 field of COMMIT (an id no server
     * hands out), or a write or commit after a restart, which the client follows with a new BEGIN.
     * {@code courier_requests_total} still counts it under its outcome.
     */
    private static boolean failsAnUpload(ErrorCode failure) {
        return failure != ErrorCode.UNKNOWN_UPLOAD;
    }

    public void accepted(Port port) {
        accepted[port.ordinal()].increment();
    }

    public void rejected(ConnectionRefusal reason) {
        rejected[reason.ordinal()].increment();
    }

    /** File contents about to be sent on {@code port}: in a chunk (a READ's or a stream's), or a legacy FILE reply. */
    public void fileSent(Port port, long n) {
        bytes[port.ordinal()].sent.file.add(n);
    }

    /**
     * Sample bytes about to be sent on {@code port}: point replies, the rows of a range's or a live record's chunk, or
     * legacy DATA replies.
     */
    public void samplesSent(Port port, long n) {
        bytes[port.ordinal()].sent.samples.add(n);
    }

    /** Sample bytes received on {@code port}, once cut from the stream: legacy DATA requests. */
    public void samplesReceived(Port port, long n) {
        bytes[port.ordinal()].received.samples.add(n);
    }

    /** One chunk of {@code n} file bytes about to be sent for a request flagged REFETCH. */
    public void refetched(long n) {
        chunksRefetched.increment();
        chunksRefetchedBytes.increment(n);
    }

    /** What the Courier port's frame decoder tells of each frame: file and sample bytes received. */
    public FrameMeter receivedFrames() {
        return this::frameReceived;
    }

    private void frameReceived(int typeCode, int frameBytes) {
        Split in = bytes[Port.COURIER.ordinal()].received;
        if (typeCode == UPLOAD_WRITE) {
            in.file.add(Math.max(0, frameBytes - FrameDescriptor.UPLOAD_WRITE_OVERHEAD_BYTES));
        } else if (typeCode == POINT || typeCode == POINT_BATCH || typeCode == APPEND) {
            in.samples.add(frameBytes);
        }
    }

    /** The pipeline handler that counts a port's bytes in and out; one shared by every connection of the port. */
    public ChannelHandler byteCounter(Port port) {
        return bytes[port.ordinal()].wire;
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
