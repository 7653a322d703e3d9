package dev.courier.server.files;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Failure;
import dev.courier.protocol.Sha256;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SHA-256 of whole files, computed on a small pool of its own and kept per {@link FileVersion}.
 *
 * <ul>
 *   <li><b>Off the read path.</b> Hashing is CPU-bound; on the virtual-thread executor it would hold the carrier
 *       threads and starve every read. Here it runs on {@code threads} platform threads, and a computation hashes
 *       {@link #SLICE_BYTES} and then queues itself again behind the others, so a small file's digest waits for
 *       slices, never for a whole large file.</li>
 *   <li><b>One computation per file at a time.</b> Requests for the version being hashed share its result; a
 *       request for another version (the file changed) waits for it to end, and then one computation of the
 *       newest version answers every request that waited.</li>
 *   <li><b>Only a version that held still.</b> The file is stat'ed again after each slice; a digest of a file
 *       that changed meanwhile (or shrank under the reads) is neither kept nor returned. The file is hashed again,
 *       up to {@link #ATTEMPTS} times, then the requests fail with FILE_CHANGED.</li>
 *   <li><b>No thread per waiting request.</b> {@link #digest} returns a future, completed on the pool.</li>
 * </ul>
 *
 * <p>Kept for the {@link #MAX_FILES} files asked about most recently. Thread-safe.
 */
final class DigestCache implements AutoCloseable {
    /** Hashed in one go before a computation lets the others have the pool: about 10 ms of SHA-256. */
    static final long SLICE_BYTES = 8L << 20;
    /** Hashes of one request's file before it gives up on a file that keeps changing. */
    static final int ATTEMPTS = 3;
    /** Files whose last digest is kept. */
    static final int MAX_FILES = 1 << 14;
    private static final int SCRATCH_BYTES = 1 << 20;
    private static final Logger log = LoggerFactory.getLogger(DigestCache.class);

    /** What a DIGEST answers: the version that was hashed and its SHA-256. */
    record Result(FileVersion version, Sha256 sha256) {
    }

    private final FileRoot root;
    private final OpenFiles files;
    private final ThreadPoolExecutor pool;
    /** One scratch array per pool thread, so memory does not grow with the computations queued. */
    private final ThreadLocal<byte[]> scratch = ThreadLocal.withInitial(() -> new byte[SCRATCH_BYTES]);
    /** Guarded by {@code this}; least recently asked first. */
    private final LinkedHashMap<Path, Slot> slots = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Path, Slot> eldest) {
            return size() > MAX_FILES && eldest.getValue().idle();
        }
    };

    /** @param threads the hashing threads; the pool never grows past them */
    DigestCache(FileRoot root, OpenFiles files, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be positive: " + threads);
        }
        this.root = root;
        this.files = files;
        ThreadFactory factory = Thread.ofPlatform().daemon().name("courier-digest-", 0).factory();
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                factory);
    }

    /**
     * The digest of the file at {@code real}, which a stat just saw at version {@code seen}.
     *
     * @param recompute hash it even when a digest of {@code seen} is kept
     * @return completes with the result, or with a {@link Failure} (NOT_FOUND, NOT_A_FILE, OUTSIDE_ROOT,
     *         FILE_CHANGED, IO_ERROR, SHUTTING_DOWN)
     */
    CompletableFuture<Result> digest(Path real, String name, FileVersion seen, boolean recompute) {
        Job start;
        CompletableFuture<Result> answer;
        synchronized (this) {
            Slot slot = slots.computeIfAbsent(real, k -> new Slot());
            if (!recompute && slot.kept != null && slot.kept.version().equals(seen)) {
                return CompletableFuture.completedFuture(slot.kept);
            }
            Job running = slot.running;
            if (running != null) {
                if (running.serves(seen)) {
                    return running.result;
                }
                if (slot.next == null) {
                    slot.next = new CompletableFuture<>();
                }
                slot.nextRecompute |= recompute;
                return slot.next;
            }
            start = new Job(real, name, slot, seen, recompute, new CompletableFuture<>());
            slot.running = start;
            answer = start.result;
        }
        submit(start);
        return answer;
    }

    /** Fails what is queued; computations running fail at their next slice. */
    @Override
    public void close() {
        List<Runnable> queued = pool.shutdownNow();
        for (Runnable r : queued) {
            if (r instanceof Job j) {
                j.finish(null, shuttingDown());
            }
        }
    }

    private void submit(Job job) {
        try {
            pool.execute(job);
        } catch (RejectedExecutionException e) {
            job.finish(null, shuttingDown());
        }
    }

    private static Failure shuttingDown() {
        return new Failure(ErrorCode.SHUTTING_DOWN, "the server is shutting down");
    }

    /** The digest state of one path. Guarded by the cache's lock. */
    private static final class Slot {
        Result kept;
        Job running;
        /** For requests that came for another version while {@link #running} ran. */
        CompletableFuture<Result> next;
        boolean nextRecompute;

        boolean idle() {
            return running == null && next == null;
        }
    }

    /** One computation for one path: hashes a slice per run, then queues itself again. */
    private final class Job implements Runnable {
        final Path real;
        final String name;
        final Slot slot;
        final FileVersion requested;
        final boolean recompute;
        final CompletableFuture<Result> result;
        /** The version being hashed, once the file is open; read by requests under the cache's lock. */
        volatile FileVersion hashing;
        private OpenFile file;
        private MessageDigest sha;
        private long position;
        private int attempts;

        Job(Path real, String name, Slot slot, FileVersion requested, boolean recompute,
            CompletableFuture<Result> result) {
            this.real = real;
            this.name = name;
            this.slot = slot;
            this.requested = requested;
            this.recompute = recompute;
            this.result = result;
        }

        /** True when a request that saw {@code seen} can take this job's result as its own. */
        boolean serves(FileVersion seen) {
            return seen.equals(requested) || seen.equals(hashing);
        }

        @Override
        public void run() {
            try {
                if (file == null && !start()) {
                    return;
                }
                long size = file.version().sizeBytes();
                long sliceEnd = Math.min(size, position + SLICE_BYTES);
                byte[] buffer = scratch.get();
                while (position < sliceEnd) {
                    position = Checksums.sha256Update(sha, file.channel(), position, sliceEnd - position, buffer);
                }
                // Stat'ed after every slice, not only at the end: a file that changed is hashed again at once, not
                // read to its end for a digest that cannot be used.
                boolean unchanged = root.status(real, name).version().equals(file.version());
                if (!unchanged) {
                    again();
                } else if (position < size) {
                    submit(this);
                } else {
                    finish(new Result(file.version(), new Sha256(sha.digest())), null);
                }
            } catch (EOFException shrank) {
                again();
            } catch (Failure f) {
                finish(null, f);
            } catch (IOException e) {
                finish(null, new Failure(ErrorCode.IO_ERROR, "cannot read " + FileRoot.quoted(name) + ": "
                        + e.getMessage()));
            } catch (RuntimeException | Error e) {
                // Not left hanging: every request waiting on this job gets an answer.
                log.warn("hashing {} failed", real, e);
                finish(null, new Failure(ErrorCode.INTERNAL, "hashing failed: " + e));
            }
        }

        /** Opens the current version, unless a digest of it is kept and will do; false when finished already. */
        private boolean start() {
            if (attempts == 0 && !recompute) {
                FileVersion now = root.status(real, name).version();
                Result kept;
                synchronized (DigestCache.this) {
                    kept = slot.kept;
                }
                if (kept != null && kept.version().equals(now)) {
                    finish(kept, null);
                    return false;
                }
            }
            file = files.acquire(real, name);
            hashing = file.version();
            sha = Checksums.newSha256();
            position = 0;
            return true;
        }

        /** The file changed under the hash: hash the newest version, or give up after {@link #ATTEMPTS}. */
        private void again() {
            releaseFile();
            if (++attempts >= ATTEMPTS) {
                finish(null, new Failure(ErrorCode.FILE_CHANGED, FileRoot.quoted(name)
                        + " keeps changing: it changed while it was hashed, " + ATTEMPTS + " times in a row"));
                return;
            }
            submit(this);
        }

        private void releaseFile() {
            if (file != null) {
                file.release();
                file = null;
            }
        }

        /** Keeps a good result, starts the computation the waiters for a newer version need, answers. */
        void finish(Result ok, Failure failed) {
            releaseFile();
            Job following = null;
            synchronized (DigestCache.this) {
                if (ok != null) {
                    slot.kept = ok;
                }
                if (slot.running == this) {
                    slot.running = null;
                    if (slot.next != null) {
                        following = new Job(real, name, slot, ok != null ? ok.version() : requested,
                                slot.nextRecompute, slot.next);
                        slot.running = following;
                        slot.next = null;
                        slot.nextRecompute = false;
                    }
                }
            }
            if (ok != null) {
                result.complete(ok);
            } else {
                result.completeExceptionally(failed);
            }
            if (following != null) {
                submit(following);
            }
        }
    }
}
