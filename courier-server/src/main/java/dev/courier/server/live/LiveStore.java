package dev.courier.server.live;

import dev.courier.protocol.AppendAck;
import dev.courier.protocol.AppendRequest;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Failure;
import dev.courier.server.points.LiveRecordings;
import dev.courier.server.points.Recording;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live records of a server with {@code --live}: APPENDs made durable by group commit, and the records' samples
 * and subscribers.
 *
 * <p>Group commit: every APPEND goes into one queue; the syncer thread takes all that are waiting, checks each
 * against its record (in arrival order, so a later APPEND sees the rows of an earlier one), writes the rows of the
 * good ones to their records' files, then fsyncs each file written once, and only then publishes the rows (points,
 * ranges and subscribers see them) and acknowledges them. Many APPENDs, of one record or of many, share one fsync
 * per file; nothing acknowledged is lost on a crash, and what was written but not yet synced (never acknowledged)
 * may survive or not, a torn last row being cut on restart ({@link LiveFile#open}).
 *
 * <p>Threading: {@link #append} and the lookups are safe from any thread; the syncer thread is the only one that
 * checks, writes and publishes.
 */
public final class LiveStore implements LiveRecordings, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LiveStore.class);
    /** A record id is a file name: letters, digits, '.', '_' and '-', not starting with '.'. */
    private static final Pattern RECORD_ID = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}");

    private final LiveConfig config;
    private final Predicate<String> recorded;
    private final Map<String, LiveRecord> records = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final Thread syncer;
    private volatile boolean closed;

    private record Pending(AppendRequest request, CompletableFuture<AppendAck> reply) {
    }

    /** Queued by {@link #close}: the syncer stops when it reaches it (an interrupt would close the files). */
    private static final Pending STOP = new Pending(null, null);

    /** An APPEND checked and written, waiting for its file's fsync. */
    private record Written(LiveRecord record, AppendRequest request, long firstSample,
                           CompletableFuture<AppendAck> reply) {
    }

    private LiveStore(LiveConfig config, Predicate<String> recorded) {
        this.config = config;
        this.recorded = recorded;
        this.syncer = Thread.ofPlatform().name("courier-live-sync").daemon().unstarted(this::run);
    }

    /**
     * Opens (creating it if needed) the live directory and every record in it, cutting torn rows.
     *
     * @param recorded whether an id is a recorded (read-only) record: appending to one is NOT_LIVE
     * @throws IOException when the directory or a record file cannot be read
     */
    public static LiveStore open(LiveConfig config, Predicate<String> recorded) throws IOException {
        Files.createDirectories(config.dir());
        LiveStore store = new LiveStore(config, recorded);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(config.dir(), "*" + LiveFile.SUFFIX)) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                String id = name.substring(0, name.length() - LiveFile.SUFFIX.length());
                if (!RECORD_ID.matcher(id).matches() || recorded.test(id)) {
                    log.warn("skipped live file {}: its id is not a live record's", p);
                    continue;
                }
                LiveFile file = LiveFile.open(p);
                int rows = Math.toIntExact(file.rows());
                double[][] columns = new double[file.channelCount][Math.max(1024, rows)];
                file.readAll(columns);
                store.records.put(id, new LiveRecord(id, file, columns, rows));
            }
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
        store.syncer.start();
        return store;
    }

    /** Where the records are kept. */
    public Path dir() {
        return config.dir();
    }

    public LiveConfig config() {
        return config;
    }

    /**
     * Queues {@code r} for the next group commit. The future completes with the ACK once its rows are fsync'd and
     * visible, or fails with a {@link Failure}: BAD_APPEND, NOT_LIVE, IO_ERROR, SHUTTING_DOWN.
     */
    public CompletableFuture<AppendAck> append(AppendRequest r) {
        CompletableFuture<AppendAck> f = new CompletableFuture<>();
        if (closed) {
            f.completeExceptionally(new Failure(ErrorCode.SHUTTING_DOWN, "the server is shutting down"));
            return f;
        }
        queue.add(new Pending(r, f));
        return f;
    }

    /**
     * Adds a subscriber to live record {@code id}.
     *
     * @return the samples it has before the first block {@code s} gets
     * @throws Failure NOT_LIVE for a recorded record, UNKNOWN_RECORD for none
     */
    Recording subscribe(String id, LiveSubscriber s) {
        LiveRecord r = records.get(id);
        if (r == null) {
            if (recorded.test(id)) {
                throw new Failure(ErrorCode.NOT_LIVE, "record '" + id + "' is a recorded one, not live; read it "
                        + "with a range instead");
            }
            throw new Failure(ErrorCode.UNKNOWN_RECORD, "no live record '" + id + "' (appending to it creates it)");
        }
        return r.subscribe(s);
    }

    void unsubscribe(String id, LiveSubscriber s) {
        LiveRecord r = records.get(id);
        if (r != null) {
            r.unsubscribe(s);
        }
    }

    @Override
    public Recording find(String id) {
        LiveRecord r = records.get(id);
        return r == null ? null : r.snapshot();
    }

    @Override
    public List<Recording> all() {
        List<Recording> list = new ArrayList<>(records.size());
        for (LiveRecord r : records.values()) {
            list.add(r.snapshot());
        }
        return list;
    }

    private void run() {
        List<Pending> group = new ArrayList<>();
        boolean stop = false;
        while (!stop) {
            try {
                group.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(group);
            stop = group.remove(STOP);
            commit(group);
            group.clear();
        }
        List<Pending> left = new ArrayList<>();
        queue.drainTo(left);
        for (Pending p : left) {
            p.reply.completeExceptionally(new Failure(ErrorCode.SHUTTING_DOWN, "the server is shutting down"));
        }
    }

    /** One group commit: check and write each, fsync each file once, then publish and acknowledge. */
    private void commit(List<Pending> group) {
        List<Written> written = new ArrayList<>(group.size());
        Set<LiveRecord> touched = new LinkedHashSet<>();
        for (Pending p : group) {
            try {
                LiveRecord r = accept(p.request);
                long first = r.acceptedRows;
                write(r, p.request);
                r.acceptedRows += p.request.rows();
                r.lastTimeSeconds = p.request.timesSeconds()[p.request.rows() - 1];
                written.add(new Written(r, p.request, first, p.reply));
                touched.add(r);
            } catch (Failure e) {
                p.reply.completeExceptionally(e);
            } catch (IOException e) {
                log.warn("writing live record '{}' failed", p.request.record(), e);
                p.reply.completeExceptionally(new Failure(ErrorCode.IO_ERROR, "writing the rows failed: " + e));
            }
        }
        Set<LiveRecord> failed = new LinkedHashSet<>();
        for (LiveRecord r : touched) {
            try {
                r.file.sync();
            } catch (IOException e) {
                log.warn("syncing live record '{}' failed", r.id, e);
                failed.add(r);
            }
        }
        for (Written w : written) {
            if (failed.contains(w.record)) {
                w.reply.completeExceptionally(new Failure(ErrorCode.IO_ERROR, "syncing the rows of record '"
                        + w.record.id + "' failed; they were not acknowledged"));
                continue;
            }
            w.record.apply(w.request.values(), w.request.rows(), alloc);
            w.reply.complete(new AppendAck(w.request.requestId(), w.firstSample, w.request.rows()));
        }
    }

    /** Writes the rows of {@code r} at the end of its record's file, little-endian, values only. */
    private static void write(LiveRecord record, AppendRequest r) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(r.values().length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : r.values()) {
            b.putDouble(v);
        }
        b.flip();
        record.file.write(b);
    }

    /**
     * The record {@code r} appends to, made (its file created) when new, once {@code r} keeps every rule.
     *
     * @throws Failure BAD_APPEND or NOT_LIVE
     */
    private LiveRecord accept(AppendRequest r) throws IOException {
        String id = r.record();
        if (recorded.test(id)) {
            throw new Failure(ErrorCode.NOT_LIVE, "record '" + id + "' is a recorded, read-only one; append to a"
                    + " new name");
        }
        if (!RECORD_ID.matcher(id).matches()) {
            throw bad("record id '" + id + "' is not 1 to 100 of letters, digits, '.', '_', '-' (not starting"
                    + " with '.')");
        }
        if (r.rows() == 0) {
            throw bad("no rows");
        }
        if (r.rows() > config.maxAppendRows()) {
            throw bad(r.rows() + " rows exceed the " + config.maxAppendRows() + " one APPEND may carry");
        }
        if (!(r.rateHz() > 0) || !Double.isFinite(r.rateHz())) {
            throw bad("rate " + r.rateHz() + " Hz is not a positive number");
        }
        LiveRecord record = records.get(id);
        if (record != null) {
            if (record.channelCount() != r.channelCount()) {
                throw bad("record '" + id + "' has " + record.channelCount() + " channels; the rows have "
                        + r.channelCount());
            }
            if (record.file.rateHz != r.rateHz()) {
                throw bad("record '" + id + "' is sampled at " + record.file.rateHz + " Hz, not " + r.rateHz());
            }
        }
        double start = record != null ? record.file.startTimeSeconds : r.timesSeconds()[0];
        long next = record != null ? record.acceptedRows : 0;
        double last = record != null ? record.lastTimeSeconds : Double.NaN;
        checkRows(r, start, next, last);
        if (record == null) {
            if (records.size() >= config.maxRecords()) {
                throw bad("the server holds " + config.maxRecords() + " live records, the most it allows");
            }
            LiveFile file = LiveFile.create(config.dir().resolve(id + LiveFile.SUFFIX), r.channelCount(),
                    r.rateHz(), start);
            record = new LiveRecord(id, file, new double[r.channelCount()][Math.max(1024, r.rows())], 0);
            records.put(id, record);
        }
        return record;
    }

    /**
     * Every time finite, increasing, and on the rate's grid (within half a sample of {@code start + index / rate});
     * every value finite.
     */
    private static void checkRows(AppendRequest r, double start, long next, double last) {
        double halfSample = 0.5 / r.rateHz();
        double[] times = r.timesSeconds();
        double[] values = r.values();
        for (int i = 0; i < times.length; i++) {
            double t = times[i];
            if (!Double.isFinite(t)) {
                throw bad("row " + i + ": time " + t + " is not a finite number");
            }
            if (!(t > last) && !Double.isNaN(last)) {
                throw bad("row " + i + ": time " + t + " s does not follow the previous row's " + last + " s");
            }
            double expected = start + (next + i) / r.rateHz();
            if (Math.abs(t - expected) > halfSample) {
                throw bad("row " + i + ": time " + t + " s is off the " + r.rateHz() + " Hz rate: sample "
                        + (next + i) + " is at " + expected + " s");
            }
            last = t;
        }
        for (int v = 0; v < values.length; v++) {
            if (!Double.isFinite(values[v])) {
                throw bad("row " + v / r.channelCount() + ", channel " + (v % r.channelCount() + 1) + ": value "
                        + values[v] + " is not a finite number");
            }
        }
    }

    private static Failure bad(String message) {
        return new Failure(ErrorCode.BAD_APPEND, message);
    }

    /** Stops the syncer once it has committed what is queued, and closes the files. */
    @Override
    public void close() {
        closed = true;
        queue.add(STOP);
        try {
            if (syncer.isAlive()) {
                syncer.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (LiveRecord r : records.values()) {
            try {
                r.file.close();
            } catch (IOException e) {
                log.debug("closing {} failed", r.id, e);
            }
        }
    }
}
