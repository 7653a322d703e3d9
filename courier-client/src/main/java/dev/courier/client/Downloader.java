package dev.courier.client;

import dev.courier.client.internal.WireConnection;
import dev.courier.protocol.ByteRange;
import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Sha256;
import dev.courier.protocol.journal.RangeSet;
import dev.courier.protocol.journal.TransferJournal;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32C;

/**
 * Downloads one file over several connections in chunks, and nothing it hands over is wrong or partial:
 * <ul>
 * <li>every chunk's CRC32C is checked before it is written, and a damaged chunk is fetched again;</li>
 * <li>the whole file's SHA-256, announced by the server, is checked before the file gets its final name;</li>
 * <li>chunks are written at their offsets into {@code NAME.courier-part}, with a {@link TransferJournal} beside it,
 * so an interrupted download (connection reset, server restart, this process killed, a reboot) continues from the
 * chunks already verified; if the file changed on the server meanwhile it starts over and says so;</li>
 * <li>lost connections are reopened with exponential backoff and jitter, and the chunks they had in flight are
 * fetched again, until no chunk has arrived for the stall timeout;</li>
 * <li>only a complete, verified, synced file is renamed to its final name.</li>
 * </ul>
 * One instance may run several downloads, one after another or at once.
 */
public final class Downloader {
    /** Suffix of the temporary file a download writes into. */
    public static final String PART_SUFFIX = ".courier-part";
    /** Suffix, after {@link #PART_SUFFIX}, of its journal. */
    public static final String JOURNAL_SUFFIX = ".journal";
    private static final int MAX_ATTEMPTS_PER_CHUNK = 20;

    private final CourierClient client;
    private final DownloadOptions options;
    private final DownloadProgress progress;
    private final ChunkListener chunkListener;

    public Downloader(CourierClient client, DownloadOptions options, DownloadProgress progress) {
        this(client, options, progress, ChunkListener.NONE);
    }

    /** As above, and tells {@code chunkListener} about every chunk as it arrives (for per-chunk timing). */
    public Downloader(CourierClient client, DownloadOptions options, DownloadProgress progress,
                      ChunkListener chunkListener) {
        this.client = client;
        this.options = options;
        this.progress = progress;
        this.chunkListener = chunkListener;
    }

    /**
     * Downloads {@code name} to {@code destination} (a file path, or an existing directory to put it in under its
     * own name; ignored when discarding).
     *
     * <p>When the bytes received do not hash to the SHA-256 the server announced, it asks the server to hash the
     * file afresh (DIGEST with the recompute flag). If the fresh digest matches the bytes, the announced one was
     * stale and the download is good. If it differs from the announced one, the file changed on the server during
     * the download: it starts over, once, against the fresh digest, and says so. If it is the same, the bytes were
     * damaged: VERIFICATION_FAILED.
     *
     * @throws CourierException with the server's typed error, TIMED_OUT, VERIFICATION_FAILED, BAD_REPLY or
     *                          LOCAL_IO_ERROR (which includes a destination without room for the file)
     */
    public DownloadResult download(String name, Path destination) {
        long start = System.nanoTime();
        Path target = options.discard() ? null
                : Files.isDirectory(destination) ? destination.resolve(baseName(name)) : destination;
        Path part = target == null ? null : target.resolveSibling(target.getFileName() + PART_SUFFIX);
        Path journalPath = part == null ? null : part.resolveSibling(part.getFileName() + JOURNAL_SUFFIX);
        WireConnection first = connectWithRetry(System.nanoTime());
        try (ResilientConnection meta = new ResilientConnection(client, options.stallTimeoutMillis(),
                options.backoff())) {
            FileDigest digest = join(meta.digest(name, false));
            boolean startOver = !options.resume();
            for (boolean restarted = false; ; restarted = true) {
                try (Attempt attempt = new Attempt(name, digest, part, journalPath, startOver, first)) {
                    Sha256 sha;
                    try {
                        sha = attempt.run();
                    } catch (CourierException e) {
                        if (e.code() != ErrorCode.FILE_CHANGED || restarted) {
                            throw e;
                        }
                        // The server saw the file change under a read (it shrank, or was replaced): what is here
                        // may mix two versions, so start over once against the version there is now.
                        attempt.discard();
                        FileDigest fresh = join(meta.digest(name, false));
                        progress.note(name + " changed on the server during the download ("
                                + describe(digest, fresh) + "); starting over");
                        digest = fresh;
                        startOver = true;
                        continue;
                    }
                    if (sha == null || sha.hex().equals(digest.sha256Hex())) {
                        return attempt.finish(target, digest.sha256Hex(), start);
                    }
                    FileDigest fresh = join(meta.digest(name, true));
                    if (fresh.sizeBytes() == digest.sizeBytes() && fresh.sha256Hex().equals(sha.hex())) {
                        progress.note(name + ": the server's digest was stale; hashed afresh, it matches the bytes "
                                + "received");
                        return attempt.finish(target, sha.hex(), start);
                    }
                    attempt.discard();
                    String changed = changes(digest, fresh);
                    if (changed.isEmpty()) {
                        throw new CourierException(ErrorCode.VERIFICATION_FAILED, name + " arrived with SHA-256 "
                                + sha + " but the server announced " + digest.sha256Hex() + ", and says so again "
                                + "when it hashes the file afresh; the bytes were damaged. Run again to start over.");
                    }
                    if (restarted) {
                        throw new CourierException(ErrorCode.VERIFICATION_FAILED, name + " changed on the server "
                                + "during the download again (" + changed + "); run again when it stays put.");
                    }
                    progress.note(name + " changed on the server during the download (" + changed
                            + "); starting over");
                    digest = fresh;
                    startOver = true;
                }
            }
        } catch (IOException e) {
            throw new CourierException(ErrorCode.LOCAL_IO_ERROR, "cannot write " + part + ": " + e.getMessage()
                    + (Files.exists(journalPath) ? " (progress is saved; run again to resume)" : ""), e);
        } catch (RuntimeException e) {
            throw CourierException.unwrap(e);
        } finally {
            first.closeAsync();
        }
    }

    /** What differs between two versions of a file, for a person, or that the server says it changed. */
    private static String describe(FileDigest was, FileDigest now) {
        String changed = changes(was, now);
        return changed.isEmpty() ? "the server reported FILE_CHANGED" : changed;
    }

    /** What differs between two versions of a file, for a person; empty when nothing does. */
    private static String changes(FileDigest was, FileDigest now) {
        List<String> changed = new ArrayList<>();
        if (was.sizeBytes() != now.sizeBytes()) {
            changed.add("size " + was.sizeBytes() + " -> " + now.sizeBytes() + " bytes");
        }
        if (was.modifiedMillis() != now.modifiedMillis()) {
            changed.add("modification time " + was.modifiedMillis() + " -> " + now.modifiedMillis() + " ms");
        }
        if (!was.sha256Hex().equals(now.sha256Hex())) {
            changed.add("SHA-256 " + was.sha256Hex() + " -> " + now.sha256Hex());
        }
        return String.join(", ", changed);
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (RuntimeException e) {
            throw CourierException.unwrap(e);
        }
    }

    /**
     * Why a download cannot start for want of room, or null when it can: {@code neededBytes} still to fetch against
     * the usable space of the file system that holds {@code part}. The space can still run out meanwhile (another
     * writer); that is a write error then, and the progress is saved.
     */
    private static String noRoom(String name, Path part, long neededBytes) {
        long usable;
        try {
            usable = Files.getFileStore(part).getUsableSpace();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null; // no figure to check against: let the writes find out
        }
        return neededBytes <= usable ? null : name + " needs " + neededBytes + " more bytes, but only " + usable
                + " bytes are free where it goes (" + part.toAbsolutePath().getParent() + ")";
    }

    /** One pass over the file against one digest: its part file, journal and transfer. */
    private final class Attempt implements AutoCloseable {
        private final FileDigest digest;
        private final Path part;
        private final int chunk;
        private final RangeSet have;
        private final Transfer transfer;
        private FileChannel out;
        private TransferJournal journal;

        Attempt(String name, FileDigest digest, Path part, Path journalPath, boolean startOver, WireConnection first)
                throws IOException {
            this.digest = digest;
            this.part = part;
            long size = digest.sizeBytes();
            this.chunk = Math.min(options.chunkBytes(), first.limits().maxChunkBytes());
            RangeSet onDisk = new RangeSet();
            try {
                if (part != null) {
                    if (startOver) {
                        Files.deleteIfExists(journalPath);
                        Files.deleteIfExists(part);
                    }
                    TransferJournal.Opened opened = TransferJournal.open(journalPath,
                            new TransferJournal.Header(size, digest.modifiedMillis(), Sha256.ofHex(digest.sha256Hex())));
                    journal = opened.journal();
                    opened.restartReason().ifPresent(why -> progress.note(name + " changed on the server since the "
                            + "interrupted download (" + why + "); starting over"));
                    out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.READ,
                            StandardOpenOption.WRITE);
                    if (opened.resumed()) {
                        onDisk = TransferJournal.verified(opened.entries(), out, size);
                        progress.note("resuming " + name + ": " + onDisk.totalBytes() + " of " + size
                                + " bytes already here and verified");
                    } else {
                        out.truncate(0);
                    }
                    String noRoom = noRoom(name, part, size - onDisk.totalBytes());
                    if (noRoom != null) {
                        if (!opened.resumed()) {
                            discard(); // nothing of value in them yet
                        }
                        throw new CourierException(ErrorCode.LOCAL_IO_ERROR, noRoom);
                    }
                }
            } catch (IOException | RuntimeException e) {
                close();
                throw e;
            }
            this.have = onDisk;
            this.transfer = new Transfer(name, size, chunk, out, journal, have, first);
        }

        /** Fetches what is missing; the SHA-256 of the whole file, or null when not asked to hash. */
        Sha256 run() throws IOException {
            return transfer.run();
        }

        /** The file is good: gives it its final name. */
        DownloadResult finish(Path target, String sha256Hex, long startNanos) throws IOException {
            if (part != null) {
                out.truncate(digest.sizeBytes());
                out.force(true);
                out.close();
                moveIntoPlace(part, target);
                journal.delete();
                journal = null;
            }
            return new DownloadResult(target, digest.sizeBytes(), sha256Hex, System.nanoTime() - startNanos,
                    transfer.lanesUsed, chunk, have.totalBytes(), transfer.fetched.get(), transfer.retries.get());
        }

        /** The bytes are not the file: removes the part file and its journal. */
        void discard() throws IOException {
            if (part != null) {
                journal.delete();
                journal = null;
                out.close();
                Files.deleteIfExists(part);
            }
        }

        @Override
        public void close() {
            closeQuietly(out);
            if (journal != null) {
                try {
                    journal.close();
                } catch (IOException ignored) {
                    // The journal is append-only; what is written stays valid.
                }
            }
        }
    }

    /** Opens a connection, retrying with backoff until the stall timeout from {@code since}. */
    private WireConnection connectWithRetry(long since) {
        long limit = since + TimeUnit.MILLISECONDS.toNanos(options.stallTimeoutMillis());
        return Reconnector.open(client, options.backoff(), 0, () -> {
            if (System.nanoTime() - limit > 0) {
                throw new CourierException(ErrorCode.TIMED_OUT, "no connection to " + client.config().address()
                        + " within " + options.stallTimeoutMillis() + " ms");
            }
        });
    }

    /** One download in progress: its chunks, its lanes (one per connection) and its running digest. */
    private final class Transfer {
        private final String name;
        private final long size;
        private final FileChannel out;
        private final TransferJournal journal;
        private final WireConnection first;
        private final ChunkQueue queue;
        private final InOrderDigest digest;
        private final long windowBytes;
        private final AtomicLong done;
        private final AtomicLong fetched = new AtomicLong();
        private final AtomicLong retries = new AtomicLong();
        private final AtomicLong lastProgressNanos = new AtomicLong(System.nanoTime());
        private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
        private final java.util.Map<Long, Integer> attempts = new java.util.concurrent.ConcurrentHashMap<>();
        private int lanesUsed;

        Transfer(String name, long size, int chunk, FileChannel out, TransferJournal journal, RangeSet have,
                 WireConnection first) {
            this.name = name;
            this.size = size;
            this.out = out;
            this.journal = journal;
            this.first = first;
            this.queue = new ChunkQueue(have, size, chunk);
            this.digest = options.verifyDigest() ? new InOrderDigest(size, have, out) : null;
            this.done = new AtomicLong(have.totalBytes());
            // Chunks may run ahead of the hashing point by this much; beyond it lanes wait for the gap to fill.
            this.windowBytes = Math.max(64L << 20,
                    4L * options.connections() * options.readsPerConnection() * chunk);
            this.lanesUsed = (int) Math.max(1, Math.min(options.connections(), queue.chunksLeft()));
        }

        Sha256 run() throws IOException {
            progress.advanced(done.get(), size);
            // Hash what an earlier attempt left on disk first: the lanes only fetch within a window past the
            // hashing point, so that point must move past the resumed bytes before they can start.
            if (digest != null) {
                digest.drain();
            }
            if (!queue.finished()) {
                List<Future<?>> lanes = new ArrayList<>();
                try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                    for (int i = 0; i < lanesUsed; i++) {
                        WireConnection initial = i == 0 ? first : null;
                        lanes.add(pool.submit(() -> lane(initial)));
                    }
                }
                RuntimeException f = failure.get();
                if (f != null) {
                    if (digest != null) {
                        digest.discard();
                    }
                    throw f;
                }
            }
            if (digest == null) {
                return null; // not asked to hash: every chunk's CRC32C was checked
            }
            Sha256 sha = digest.finish();
            if (sha == null) {
                throw new CourierException(ErrorCode.VERIFICATION_FAILED, name + ": bytes are missing at "
                        + digest.hashedBytes() + " after every chunk was reported done");
            }
            return sha;
        }

        private record InFlight(ByteRange chunk, CompletableFuture<ChunkReply> reply) {
        }

        private CompletableFuture<ChunkReply> read(WireConnection c, ByteRange chunk) {
            long sentNanos = System.nanoTime();
            return c.read(name, chunk.offsetBytes(), (int) chunk.lengthBytes()).whenComplete((reply, err) -> {
                if (reply != null) {
                    chunkListener.received(chunk.offsetBytes(), reply.lengthBytes(), System.nanoTime() - sentNanos);
                }
            });
        }

        /** One connection's loop: keep its window of reads full, take the replies in order, reconnect on loss. */
        private void lane(WireConnection initial) {
            WireConnection c = initial;
            ArrayDeque<InFlight> window = new ArrayDeque<>();
            int reconnects = 0;
            try {
                while (failure.get() == null) {
                    if (c == null || !c.isOpen()) {
                        if (c != null) {
                            progress.note("connection lost; reconnecting");
                        }
                        requeue(window);
                        c = reconnect(reconnects++);
                        continue;
                    }
                    fill(c, window);
                    if (window.isEmpty()) {
                        if (queue.finished()) {
                            return;
                        }
                        checkStall();
                        queue.await(50);
                        continue;
                    }
                    InFlight f = window.peekFirst();
                    ChunkReply reply;
                    try {
                        reply = f.reply().get(options.stallTimeoutMillis(), TimeUnit.MILLISECONDS);
                    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                        CourierException ce = e instanceof ExecutionException
                                ? asCourier(e.getCause())
                                : new CourierException(ErrorCode.TIMED_OUT, "no chunk for "
                                        + options.stallTimeoutMillis() + " ms");
                        if (!Backoff.retryable(ce)) {
                            throw ce;
                        }
                        progress.note("connection lost (" + ce.code() + "); reconnecting");
                        c.closeAsync();
                        c = null;
                        continue;
                    }
                    window.removeFirst();
                    try {
                        accept(f.chunk(), reply);
                        reconnects = 0;
                    } finally {
                        reply.release();
                    }
                }
            } catch (RuntimeException e) {
                failure.compareAndSet(null, CourierException.unwrap(e));
                queue.nudge();
            } catch (InterruptedException e) {
                failure.compareAndSet(null, new CourierException(ErrorCode.CONNECTION_CLOSED, "interrupted"));
            } catch (IOException e) {
                failure.compareAndSet(null, new CourierException(ErrorCode.LOCAL_IO_ERROR, "cannot write "
                        + name + ": " + e.getMessage() + " (progress is saved; run again to resume)", e));
                queue.nudge();
            } finally {
                for (InFlight f : window) {
                    f.reply().thenAccept(ChunkReply::release);
                }
                if (c != null && c != first) {
                    c.closeAsync();
                }
            }
        }

        private void fill(WireConnection c, ArrayDeque<InFlight> window) {
            while (window.size() < options.readsPerConnection()) {
                ByteRange next = queue.poll(digest == null ? Long.MAX_VALUE : digest.hashedBytes() + windowBytes);
                if (next == null) {
                    return;
                }
                window.add(new InFlight(next, read(c, next)));
            }
        }

        private void requeue(ArrayDeque<InFlight> window) {
            for (InFlight f : window) {
                f.reply().thenAccept(ChunkReply::release);
                retries.incrementAndGet();
                queue.retry(f.chunk());
            }
            window.clear();
        }

        private WireConnection reconnect(int attempt) {
            return Reconnector.open(client, options.backoff(), attempt, () -> {
                checkStall();
                if (failure.get() != null) {
                    throw failure.get();
                }
            });
        }

        private void checkStall() {
            long quiet = System.nanoTime() - lastProgressNanos.get();
            if (quiet > TimeUnit.MILLISECONDS.toNanos(options.stallTimeoutMillis())) {
                throw new CourierException(ErrorCode.TIMED_OUT, name + ": no chunk arrived for "
                        + TimeUnit.NANOSECONDS.toMillis(quiet) + " ms; giving up"
                        + (journal != null ? " (progress is saved; run again to resume)" : ""));
            }
        }

        /** Verifies a chunk, writes it, journals it, hashes it. A damaged chunk goes back in the queue. */
        private void accept(ByteRange chunk, ChunkReply reply) throws IOException {
            fetched.addAndGet(reply.lengthBytes());
            long offset = chunk.offsetBytes();
            int length = (int) chunk.lengthBytes();
            boolean shouldBeLast = offset + length == size;
            if (reply.offsetBytes() != offset || reply.lengthBytes() != length || reply.last() != shouldBeLast) {
                throw new CourierException(ErrorCode.VERIFICATION_FAILED, name + ": asked for " + length
                        + " bytes at " + offset + ", got " + reply.lengthBytes() + " bytes at " + reply.offsetBytes()
                        + (reply.last() ? " (end of file)" : "") + "; did the file change on the server?");
            }
            ByteBuf data = reply.data();
            int crc = crc32c(data);
            if (reply.hasCrc() && crc != reply.crc32c()) {
                int n = attempts.merge(offset, 1, Integer::sum);
                if (n >= MAX_ATTEMPTS_PER_CHUNK) {
                    throw new CourierException(ErrorCode.VERIFICATION_FAILED, name + ": the chunk at " + offset
                            + " arrived damaged " + n + " times in a row");
                }
                progress.note("chunk at " + offset + " arrived damaged (CRC32C mismatch); fetching it again");
                retries.incrementAndGet();
                queue.retry(chunk);
                return;
            }
            if (out != null) {
                long position = offset;
                for (ByteBuffer b : data.nioBuffers()) {
                    while (b.hasRemaining()) {
                        position += out.write(b, position);
                    }
                }
                journal.append(new TransferJournal.Entry(offset, length, crc));
            }
            if (digest != null) {
                digest.offer(offset, data);
            }
            lastProgressNanos.set(System.nanoTime());
            progress.advanced(done.addAndGet(length), size);
            queue.done();
        }
    }

    private static int crc32c(ByteBuf data) {
        CRC32C c = new CRC32C();
        for (ByteBuffer b : data.nioBuffers()) {
            c.update(b);
        }
        return (int) c.getValue();
    }

    private static CourierException asCourier(Throwable t) {
        RuntimeException r = CourierException.unwrap(t);
        return r instanceof CourierException c ? c : new CourierException(ErrorCode.INTERNAL, r.toString(), r);
    }

    private static void moveIntoPlace(Path part, Path target) throws IOException {
        try {
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel dir = FileChannel.open(target.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
            dir.force(true); // the rename itself survives a crash
        } catch (IOException ignored) {
            // Not every file system can sync a directory.
        }
    }

    private static void closeQuietly(FileChannel c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // Already forced where it mattered.
            }
        }
    }

    static String baseName(String name) {
        String n = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        int slash = n.lastIndexOf('/');
        return slash < 0 ? n : n.substring(slash + 1);
    }
}
