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
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * against its record (in arrival order, so a later APPEND sees the rows of an earlier one), adds an entry for each
 * good one to the shared {@link LiveLog}, writes and fsyncs the log once, and only then publishes the rows (points,
 * ranges and subscribers see them) and acknowledges them. A group costs one fsync however many records it touches.
 * The records' own files are brought up to date from memory at checkpoints ({@link Checkpointer}), in the
 * background, each time the log passes {@link LiveConfig#logCheckpointBytes}; the log is then deleted.
 *
 * <p>A new record's file is created by the group that makes the record, as {@code RECORD.live.new}, and renamed to
 * {@code RECORD.live} once the group's fsync made the creating entry durable (a rename, no further fsync); its header
 * is synced by the next checkpoint, before the log holding that entry is deleted.
 *
 * <p>Recovery ({@link #open}): {@code .live.new} files are deleted (the log holds all they had, or their group was
 * never acknowledged); the record files are read (a torn last row cut), then the logs oldest first, each entry's rows
 * beyond what its record has applied (by sample index, so an entry the file already holds is skipped), stopping at a
 * log's first short or bad-CRC entry (a torn tail: never acknowledged), which is logged; then a checkpoint, and the
 * logs are deleted. Only the newest log can have a torn tail: damage inside an older one, whose every group was
 * fsync'd before the newer log was made, stops the start ({@link DamagedLiveFileException}, naming the file). A record
 * whose file is missing or holds no whole header (a crash before its header reached the disk) is made again from the
 * log's entry that created it; one whose header is bad while no log holds it from its first sample stops the start
 * the same way. A refused start leaves the files as they were. Nothing acknowledged is lost. Rows that were not
 * acknowledged can be in the record files after a replay: those of a group fsync'd whose ACKs had not gone out
 * before the crash are replayed like the others; only a torn tail's never are. A failed log write or fsync, a new
 * record's file that cannot be renamed, or a failed checkpoint, stops the store: every later APPEND is IO_ERROR.
 *
 * <p>Threading: {@link #append} and the lookups are safe from any thread; the syncer thread is the only one that
 * checks, writes and publishes.
 */
public final class LiveStore implements LiveRecordings, AutoCloseable {
    private static final Logger logger = LoggerFactory.getLogger(LiveStore.class);
    /** See {@link #mergedBlockBytes}. */
    private static final long MAX_MERGED_BLOCK_BYTES = 64 << 10;
    /** A record id is a file name: letters, digits, '.', '_' and '-', not starting with '.'. */
    private static final Pattern RECORD_ID = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}");

    private final LiveConfig config;
    private final Predicate<String> recorded;
    private final Map<String, LiveRecord> records = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final Thread syncer;
    private Checkpointer checkpointer;
    /** The log being written; the syncer's alone once it runs. */
    private LiveLog log;
    /** Why APPENDs are refused: a log write or sync that failed. Set by the syncer. */
    private IOException logFailure;
    private volatile boolean closed;
    /** Whether {@link #close} ran. */
    private boolean shut;
    /**
     * Start-up only: the records whose file holds no whole header, by id, until an entry of the log that creates the
     * record makes it again.
     */
    private final Map<String, LiveFile.BadHeader> unreadable = new HashMap<>();

    private record Pending(AppendRequest request, CompletableFuture<AppendAck> reply) {
    }

    /** Queued by {@link #close}: the syncer stops when it reaches it (an interrupt would close the files). */
    private static final Pending STOP = new Pending(null, null);

    /** An APPEND checked and in the log's group, waiting for its fsync; {@code created} when it made the record. */
    private record Written(LiveRecord record, AppendRequest request, long firstSample, boolean created,
                           CompletableFuture<AppendAck> reply) {
    }

    private LiveStore(LiveConfig config, Predicate<String> recorded) {
        this.config = config;
        this.recorded = recorded;
        this.syncer = Thread.ofPlatform().name("courier-live-sync").daemon().unstarted(this::run);
    }

    /**
     * Opens (creating it if needed) the live directory and every record in it, cutting torn rows, replays the logs
     * and checkpoints what they held.
     *
     * @param recorded whether an id is a recorded (read-only) record: appending to one is NOT_LIVE
     * @throws DamagedLiveFileException when a file holds what no crash leaves (the message names it and what to do)
     * @throws IOException when the directory, a record file or a log cannot be read
     */
    public static LiveStore open(LiveConfig config, Predicate<String> recorded) throws IOException {
        Files.createDirectories(config.dir());
        LiveStore store = new LiveStore(config, recorded);
        try {
            store.load();
            long generation = store.replay();
            store.log = LiveLog.create(config.dir(), generation);
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
        store.checkpointer = new Checkpointer(config.dir(), store.records.values());
        store.syncer.start();
        return store;
    }

    /**
     * Deletes the files of new records whose creating entry may not have been durable, and reads every record file;
     * one that holds no whole header goes to {@link #unreadable}.
     */
    private void load() throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(config.dir(), "*" + LiveFile.NEW_SUFFIX)) {
            for (Path p : files) {
                logger.info("deleted {}: a new record's file from before its log entry was fsync'd (the log makes it"
                        + " again if the entry was)", p.getFileName());
                Files.delete(p);
            }
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(config.dir(), "*" + LiveFile.SUFFIX)) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                String id = name.substring(0, name.length() - LiveFile.SUFFIX.length());
                if (!RECORD_ID.matcher(id).matches() || recorded.test(id)) {
                    logger.warn("skipped live file {}: its id is not a live record's", p);
                    continue;
                }
                LiveFile file;
                try {
                    file = LiveFile.open(p);
                } catch (LiveFile.BadHeader e) {
                    unreadable.put(id, e);
                    continue;
                }
                int rows = Math.toIntExact(file.rows());
                double[][] columns = LiveRecord.columnsFor(file.channelCount, rows);
                file.readAll(columns);
                records.put(id, new LiveRecord(id, file, columns, rows));
            }
        }
    }

    /**
     * Applies every log's entries, oldest log first; then, when there were any, names the files of the records made
     * again, checkpoints and deletes the logs. A refusal leaves the files as they were: the records made so far only
     * had provisional files, which it deletes.
     *
     * @return the generation for the next log
     * @throws DamagedLiveFileException for damage inside a log older than the newest (only the newest can have a torn
     *                                  tail), a log whose header is not a log's, or a record file with no whole header
     *                                  that no log can make again
     */
    private long replay() throws IOException {
        List<Path> logs = LiveLog.existing(config.dir());
        List<LiveRecord> made = new ArrayList<>();
        long next = 1;
        try {
            for (int i = 0; i < logs.size(); i++) {
                Path p = logs.get(i);
                long startNanos = System.nanoTime();
                LiveLog.Scan scan = replayLog(p, made);
                next = Math.max(next, LiveLog.generationOf(p) + 1);
                if (scan.tail() == LiveLog.Tail.CLEAN) {
                    logger.info("replayed live log {}: {} entries in {} ms", p.getFileName(), scan.entries(),
                            (System.nanoTime() - startNanos) / 1_000_000);
                } else if (i < logs.size() - 1) {
                    throw new DamagedLiveFileException(p, p + " is damaged from offset " + scan.goodBytes() + " ("
                            + scan.tail() + ", " + scan.cutBytes() + " bytes from there to its end) while a newer log, "
                            + logs.get(i + 1).getFileName() + ", follows it: a log is retired only after every group"
                            + " in it was fsync'd, so no crash leaves it so. Restore the live directory from a backup,"
                            + " or move " + p.getFileName() + " out of it to start without the entries from there on");
                } else {
                    logger.warn("replayed live log {}: {} entries; its last {} bytes (from offset {}) are cut: {} (a"
                            + " write a crash cut short, never acknowledged)", p.getFileName(), scan.entries(),
                            scan.cutBytes(), scan.goodBytes(), scan.tail());
                }
            }
            if (!unreadable.isEmpty()) {
                Map.Entry<String, LiveFile.BadHeader> bad = unreadable.entrySet().iterator().next();
                String others = unreadable.size() == 1 ? "" : " (and " + (unreadable.size() - 1) + " more such files)";
                throw new DamagedLiveFileException(config.dir().resolve(bad.getKey() + LiveFile.SUFFIX),
                        bad.getValue().getMessage() + others + "; no live log holds that record from its first sample"
                        + " to make it again from, so it is not a crash's doing: restore the file from a backup, or"
                        + " move it out of " + config.dir() + " to start without that record", bad.getValue());
            }
        } catch (IOException | RuntimeException e) {
            discard(made);
            throw e;
        }
        for (LiveRecord r : made) {
            // Deletes the file set aside for having no whole header, if the record had one (see replay(Entry)).
            Path p = config.dir().resolve(r.id + LiveFile.SUFFIX);
            Files.deleteIfExists(p);
            r.file.rename(p);
        }
        if (!logs.isEmpty()) {
            Checkpointer.checkpoint(config.dir(), records.values());
            for (Path p : logs) {
                Files.delete(p);
            }
        }
        return next;
    }

    /** Applies the entries of log {@code p}; the records made go to {@code made}. */
    private LiveLog.Scan replayLog(Path p, List<LiveRecord> made) throws IOException {
        try {
            return LiveLog.read(p, e -> {
                try {
                    replay(e, made);
                } catch (IOException x) {
                    throw new UncheckedIOException(x);
                }
            });
        } catch (UncheckedIOException x) {
            throw x.getCause();
        }
    }

    /** Closes and deletes the provisional files of the records a refused replay made, and forgets them. */
    private void discard(List<LiveRecord> made) {
        for (LiveRecord r : made) {
            records.remove(r.id);
            try {
                r.file.close();
                Files.deleteIfExists(r.file.path());
            } catch (IOException e) {
                logger.warn("deleting {} failed (the next start deletes it)", r.file.path(), e);
            }
        }
    }

    /**
     * One log entry at start-up: its rows beyond what its record holds, the record made if it has no file or one
     * with no whole header. A record made here gets a provisional file ({@link LiveFile#NEW_SUFFIX}), renamed by
     * {@link #replay()} once every log was read, so that a refusal changes nothing.
     */
    private void replay(LiveLog.Entry e, List<LiveRecord> made) throws IOException {
        LiveRecord r = records.get(e.id());
        if (r == null) {
            if (!RECORD_ID.matcher(e.id()).matches() || recorded.test(e.id()) || e.firstSample() != 0) {
                logger.warn("skipped a log entry of '{}' from sample {}: not a live record's first rows", e.id(),
                        e.firstSample());
                return;
            }
            LiveFile.BadHeader bad = unreadable.remove(e.id());
            if (bad != null) {
                // Made after the last checkpoint, so the logs hold every sample the file could have had.
                logger.warn("{}; made again from the live log, which holds the record from its first sample (a crash"
                        + " before its header reached the disk)", bad.getMessage());
            }
            LiveFile file = LiveFile.create(config.dir().resolve(e.id() + LiveFile.NEW_SUFFIX), e.channels(),
                    e.rateHz(), e.startTimeSeconds());
            r = new LiveRecord(e.id(), file, LiveRecord.columnsFor(e.channels(), e.rows()), 0);
            records.put(e.id(), r);
            made.add(r);
        }
        if (r.channelCount() != e.channels() || r.file.rateHz != e.rateHz()
                || r.file.startTimeSeconds != e.startTimeSeconds() || e.firstSample() > r.acceptedRows) {
            logger.warn("skipped a log entry of '{}' from sample {} with {} channels at {} Hz from {} s: the record has"
                    + " {} channels at {} Hz from {} s and {} samples", e.id(), e.firstSample(), e.channels(),
                    e.rateHz(), e.startTimeSeconds(), r.channelCount(), r.file.rateHz, r.file.startTimeSeconds,
                    r.acceptedRows);
            return;
        }
        int skip = (int) (r.acceptedRows - e.firstSample());
        if (skip < e.rows()) {
            r.load(Arrays.copyOfRange(e.values(), skip * e.channels(), e.values().length), e.rows() - skip);
        }
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

    /**
     * One group commit: check each and add its log entry, write and fsync the log once, then publish and
     * acknowledge; then retire the log if it is full.
     */
    private void commit(List<Pending> group) {
        IOException failure = logFailure != null ? logFailure : checkpointer.failure();
        if (failure != null) {
            for (Pending p : group) {
                p.reply.completeExceptionally(new Failure(ErrorCode.IO_ERROR, "the live records' storage failed ("
                        + failure + "); the server takes no APPEND until it is restarted"));
            }
            return;
        }
        List<Written> written = new ArrayList<>(group.size());
        for (Pending p : group) {
            try {
                AppendRequest a = p.request;
                boolean created = !records.containsKey(a.record());
                LiveRecord r = accept(a);
                long first = r.acceptedRows;
                log.add(r.id, first, a.rows(), a.channelCount(), r.file.rateHz, r.file.startTimeSeconds, a.values());
                r.acceptedRows += a.rows();
                r.lastTimeSeconds = a.timesSeconds()[a.rows() - 1];
                written.add(new Written(r, a, first, created, p.reply));
            } catch (Failure e) {
                p.reply.completeExceptionally(e);
            } catch (IOException e) {
                logger.warn("creating live record '{}' failed", p.request.record(), e);
                p.reply.completeExceptionally(new Failure(ErrorCode.IO_ERROR, "creating the record failed: " + e));
            }
        }
        if (written.isEmpty()) {
            return;
        }
        try {
            log.commit();
        } catch (IOException e) {
            logger.error("writing the live log {} failed; APPENDs are refused from now on", log.path(), e);
            logFailure = e;
            for (Written w : written) {
                w.reply.completeExceptionally(new Failure(ErrorCode.IO_ERROR, "writing the rows to the log failed; "
                        + "they were not acknowledged: " + e));
            }
            return;
        }
        List<LiveRecord> unnamed = nameNewFiles(written);
        Map<LiveRecord, List<Written>> byRecord = new LinkedHashMap<>();
        for (Written w : written) {
            if (unnamed.contains(w.record)) {
                w.reply.completeExceptionally(new Failure(ErrorCode.IO_ERROR, "naming the new record's file failed;"
                        + " the rows were not acknowledged: " + logFailure));
                continue;
            }
            byRecord.computeIfAbsent(w.record, r -> new ArrayList<>(1)).add(w);
        }
        for (Map.Entry<LiveRecord, List<Written>> e : byRecord.entrySet()) {
            publish(e.getKey(), e.getValue());
        }
        if (logFailure == null && log.sizeBytes() >= config.logCheckpointBytes()) {
            rotate();
        }
    }

    /**
     * Publishes the rows of one record's APPENDs in a group (in sample order) and acknowledges them: one block, one
     * snapshot, one offer per subscriber for as many consecutive APPENDs as fit in {@link #mergedBlockBytes}, so that
     * a group that holds several APPENDs of a record (a backlog: the groups grow as the syncer falls behind) costs
     * less per row, not more. The ACKs follow their rows' publication.
     */
    private void publish(LiveRecord record, List<Written> writes) {
        long cap = mergedBlockBytes();
        int rowBytes = record.channelCount() * Double.BYTES;
        List<double[]> values = new ArrayList<>(writes.size());
        int from = 0;
        int rows = 0;
        for (int i = 0; i < writes.size(); i++) {
            AppendRequest a = writes.get(i).request;
            if (rows > 0 && (long) (rows + a.rows()) * rowBytes > cap) {
                record.apply(values, rows, alloc);
                acknowledge(writes.subList(from, i));
                values.clear();
                from = i;
                rows = 0;
            }
            values.add(a.values());
            rows += a.rows();
        }
        record.apply(values, rows, alloc);
        acknowledge(writes.subList(from, writes.size()));
    }

    /**
     * The most bytes of rows one merged block holds (one APPEND alone may hold more): a quarter of a subscriber's
     * queue bound, at most 64 KiB, so that merging never makes a subscriber that keeps up look slow.
     */
    private long mergedBlockBytes() {
        return Math.min(MAX_MERGED_BLOCK_BYTES, config.subscriberQueueBytes() / 4);
    }

    private static void acknowledge(List<Written> writes) {
        for (Written w : writes) {
            w.reply.complete(new AppendAck(w.request.requestId(), w.firstSample, w.request.rows()));
        }
    }

    /**
     * Renames the files of the records the group made to their {@code .live} names, their creating entries durable
     * now; a rename that fails stops the store.
     *
     * @return the records whose file kept its provisional name (usually none)
     */
    private List<LiveRecord> nameNewFiles(List<Written> written) {
        List<LiveRecord> unnamed = new ArrayList<>(0);
        for (Written w : written) {
            if (!w.created) {
                continue;
            }
            try {
                w.record.file.rename(config.dir().resolve(w.record.id + LiveFile.SUFFIX));
            } catch (IOException e) {
                logger.error("naming the file of new live record '{}' failed; APPENDs are refused from now on",
                        w.record.id, e);
                logFailure = e;
                unnamed.add(w.record);
            }
        }
        return unnamed;
    }

    /** Starts a new log and hands the full one to the checkpoint, waiting for the previous checkpoint if it runs. */
    private void rotate() {
        LiveLog full = log;
        try {
            log = LiveLog.create(config.dir(), full.generation() + 1);
            full.close();
            checkpointer.retire(full.path());
        } catch (IOException e) {
            logger.error("starting a new live log after {} failed; APPENDs are refused from now on", full.path(), e);
            logFailure = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The record {@code r} appends to, made (its file created under its provisional name) when new, once {@code r}
     * keeps every rule.
     *
     * @throws Failure BAD_APPEND or NOT_LIVE
     */
    private LiveRecord accept(AppendRequest r) throws IOException {
        String id = r.record();
        if (recorded.test(id)) {
            throw new Failure(ErrorCode.NOT_LIVE, "record '" + id + "' is a recorded, read-only one; append to a"
                    + " new name");
        }
        LiveRecord record = records.get(id);
        // An existing record's id was checked when it was made (or its file loaded): only a new one's is matched,
        // not every APPEND's (1,000 records at 50 APPENDs/s each would match it 50,000 times a second).
        if (record == null && !RECORD_ID.matcher(id).matches()) {
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
            LiveFile file = LiveFile.create(config.dir().resolve(id + LiveFile.NEW_SUFFIX), r.channelCount(),
                    r.rateHz(), start);
            record = new LiveRecord(id, file, LiveRecord.columnsFor(r.channelCount(), r.rows()), 0);
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

    /**
     * Stops the syncer once it has committed what is queued, waits for a running checkpoint, checkpoints the rest
     * and deletes the log (kept, and replayed at the next start, if that fails), and closes the files.
     */
    @Override
    public synchronized void close() {
        if (shut) {
            return;
        }
        shut = true;
        closed = true;
        queue.add(STOP);
        try {
            if (syncer.isAlive()) {
                syncer.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boolean clean = logFailure == null && !syncer.isAlive();
        if (checkpointer != null) {
            checkpointer.close();
            clean &= checkpointer.failure() == null;
            checkpointer = null;
        }
        if (log != null) {
            try {
                log.close();
                if (clean) {
                    Checkpointer.checkpoint(config.dir(), records.values());
                    Files.delete(log.path());
                }
            } catch (IOException e) {
                logger.warn("the last checkpoint failed; {} is kept and replayed at the next start", log.path(), e);
            }
            log = null;
        }
        for (LiveRecord r : records.values()) {
            try {
                r.file.close();
            } catch (IOException e) {
                logger.debug("closing {} failed", r.id, e);
            }
        }
    }
}
