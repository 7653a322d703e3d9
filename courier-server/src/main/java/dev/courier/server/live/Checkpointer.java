package dev.courier.server.live;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live records' checkpoints, on a thread of their own so the group commits go on meanwhile: a checkpoint writes
 * into each record's {@link LiveFile} the samples it lacks (from memory), fsyncs the files and the directory, and
 * then deletes the {@link LiveLog} it was asked to retire, whose entries are all in the files now. One runs at a
 * time: {@link #retire} blocks while the previous one is still going, so at most two logs exist (the one being
 * written and the one being retired), which bounds the disk they take and the replay after a crash.
 *
 * <p>Threading: {@link #retire} and {@link #close} from the syncer and closing threads; the checkpoint itself on
 * {@code courier-live-checkpoint}. A failure (a file that cannot be written or synced) is kept in {@link #failure};
 * the log is then kept too, and the store refuses APPENDs from then on.
 */
final class Checkpointer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Checkpointer.class);
    /** Queued by {@link #close}: the thread stops when it takes it. */
    private static final Path STOP = Path.of("");

    private final Path dir;
    private final Collection<LiveRecord> records;
    private final Semaphore idle = new Semaphore(1);
    private final SynchronousQueue<Path> jobs = new SynchronousQueue<>();
    private final Thread thread;
    private volatile IOException failure;

    /** @param records the store's records, a live view: a record made after the start is checkpointed too */
    Checkpointer(Path dir, Collection<LiveRecord> records) {
        this.dir = dir;
        this.records = records;
        this.thread = Thread.ofPlatform().name("courier-live-checkpoint").daemon().start(this::run);
    }

    /**
     * Starts a checkpoint that deletes {@code oldLog} once every record's file has what the log holds; waits first
     * for the running one, if any. On the syncer thread, after the last group written to {@code oldLog} was
     * published.
     */
    void retire(Path oldLog) throws InterruptedException {
        idle.acquire();
        jobs.put(oldLog);
    }

    /** The checkpoint failure that stops the store, or null. */
    IOException failure() {
        return failure;
    }

    private void run() {
        while (true) {
            Path oldLog;
            try {
                oldLog = jobs.take();
            } catch (InterruptedException e) {
                return;
            }
            if (oldLog == STOP) {
                return;
            }
            try {
                long startNanos = System.nanoTime();
                int synced = checkpoint(dir, records);
                Files.deleteIfExists(oldLog);
                log.debug("checkpoint: {} live record files synced in {} ms, {} deleted", synced,
                        (System.nanoTime() - startNanos) / 1_000_000, oldLog.getFileName());
            } catch (IOException e) {
                log.error("live records' checkpoint failed; {} is kept, APPENDs are refused from now on", oldLog, e);
                failure = e;
            } finally {
                idle.release();
            }
        }
    }

    /**
     * One checkpoint on the caller's thread: every record's file brought up to its published samples and synced,
     * then the directory (for the files made since the last one).
     *
     * @return the files synced
     */
    static int checkpoint(Path dir, Collection<LiveRecord> records) throws IOException {
        int synced = 0;
        for (LiveRecord r : records) {
            if (r.checkpoint()) {
                synced++;
            }
        }
        LiveFile.syncDirectory(dir);
        return synced;
    }

    /** Waits for the running checkpoint, if any, and stops the thread. */
    @Override
    public void close() {
        try {
            idle.acquire();
            jobs.put(STOP);
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
