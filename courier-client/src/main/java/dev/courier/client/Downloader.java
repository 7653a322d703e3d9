package dev.courier.client;

import dev.courier.client.internal.ChunkFetcher;
import dev.courier.client.internal.ConnectionSlot;
import dev.courier.client.internal.Deadline;
import dev.courier.client.internal.Dialer;
import dev.courier.client.internal.PartFile;
import dev.courier.client.internal.Retry;
import dev.courier.protocol.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Downloads one file over several connections in chunks, and nothing it hands over is wrong or partial:
 * <ul>
 * <li>every chunk's CRC32C is checked before it is written, and a damaged chunk is fetched again;</li>
 * <li>the whole file's SHA-256, announced by the server, is checked before the file gets its final name;</li>
 * <li>chunks are written at their offsets into {@code NAME.courier-part}, with a journal beside it, so
 * an interrupted download (connection reset, server restart, this process killed, a reboot) continues from the
 * chunks already verified; if the file changed on the server meanwhile it starts over and says so;</li>
 * <li>lost connections are reopened with exponential backoff and jitter, and the chunks they had in flight are
 * fetched again, until no chunk has arrived for the stall timeout;</li>
 * <li>only a complete, verified, synced file is renamed to its final name; the part file is synced in the
 * background as it fills, so that last sync is short ({@link DownloadResult#finalSyncNanos}); it gets the server's
 * modification time, as {@code rsync -t} and {@code curl -R} keep it;</li>
 * <li>with {@link DownloadOptions#rateLimitBytesPerSecond} it takes in no more than that rate.</li>
 * </ul>
 * The DIGEST that names the version to fetch goes on the download's first connection, which then carries the first
 * connection's share of the reads; the others open as the reads begin.
 *
 * <p>Threading: {@link #download} blocks until the file is in place or the download failed; the chunks move on
 * virtual threads of its own and the client's event loops. One instance may run several downloads, one after
 * another or at once.
 */
public final class Downloader {
    /** Suffix of the temporary file a download writes into. */
    public static final String PART_SUFFIX = ".courier-part";
    /** Suffix, after {@link #PART_SUFFIX}, of its journal. */
    public static final String JOURNAL_SUFFIX = ".journal";

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
        Dialer dialer = client.dialer();
        Retry retry = new Retry(dialer.scheduler(), options.backoff());
        ChunkFetcher fetcher = new ChunkFetcher(dialer, options, progress, chunkListener);
        try (ConnectionSlot control = new ConnectionSlot(dialer)) {
            control.connectFirst();
            // The DIGEST goes on the first connection, which then carries the first lane's reads.
            Answered first = CourierException.join(retry.run(attempt -> control.call(c -> c.digest(name, false)
                    .thenApply(d -> new Answered(d, c.limits()))), Deadline.in(options.stallTimeoutMillis())));
            FileDigest digest = first.digest();
            int chunk = Math.min(options.chunkBytes(), first.limits().maxChunkBytes());
            boolean startOver = !options.resume();
            for (boolean restarted = false; ; restarted = true) {
                try (PartFile file = part == null ? PartFile.none(digest)
                        : PartFile.open(name, digest, part, journalPath, startOver, progress)) {
                    ChunkFetcher.Fetched fetched;
                    try {
                        fetched = fetcher.fetch(name, file, chunk, control.openNow());
                    } catch (CourierException e) {
                        if (e.code() != ErrorCode.FILE_CHANGED || restarted) {
                            throw e;
                        }
                        // The server saw the file change under a read (it shrank, or was replaced): what is here
                        // may mix two versions, so start over once against the version there is now.
                        file.discard();
                        FileDigest fresh = digest(retry, control, name, false);
                        progress.note(name + " changed on the server during the download ("
                                + describe(digest, fresh) + "); starting over");
                        digest = fresh;
                        startOver = true;
                        continue;
                    }
                    String sha = fetched.sha256Hex();
                    if (sha == null || sha.equals(digest.sha256Hex())) {
                        progress.phase(DownloadProgress.Phase.SYNCING);
                        return finish(file, target, digest.sha256Hex(), chunk, fetched, start);
                    }
                    FileDigest fresh = digest(retry, control, name, true);
                    if (fresh.sizeBytes() == digest.sizeBytes() && fresh.sha256Hex().equals(sha)) {
                        progress.note(name + ": the server's digest was stale; hashed afresh, it matches the bytes "
                                + "received");
                        progress.phase(DownloadProgress.Phase.SYNCING);
                        return finish(file, target, sha, chunk, fetched, start);
                    }
                    file.discard();
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
                    + (journalPath != null && Files.exists(journalPath) ? " (progress is saved; run again to resume)"
                    : ""), e);
        } catch (RuntimeException e) {
            throw CourierException.unwrap(e);
        }
    }

    /** A DIGEST and the limits of the connection that answered it. */
    private record Answered(FileDigest digest, ServerLimits limits) {
    }

    /** A DIGEST on the control connection, retried on new ones until the stall timeout. */
    private FileDigest digest(Retry retry, ConnectionSlot control, String name, boolean recompute) {
        return CourierException.join(retry.run(attempt -> control.call(c -> c.digest(name, recompute)),
                Deadline.in(options.stallTimeoutMillis())));
    }

    /** The file is good: gives it its final name and the server's modification time. */
    private static DownloadResult finish(PartFile file, Path target, String sha256Hex, int chunkBytes,
                                         ChunkFetcher.Fetched fetched, long startNanos) throws IOException {
        long syncNanos = file.finish(target);
        if (target != null) {
            Files.setLastModifiedTime(target, FileTime.fromMillis(file.version().modifiedMillis()));
        }
        return new DownloadResult(target, file.version().sizeBytes(), sha256Hex, System.nanoTime() - startNanos,
                fetched.connections(), chunkBytes, file.resumedBytes(), fetched.fetchedBytes(),
                fetched.refetchedChunks(), syncNanos);
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

    static String baseName(String name) {
        String n = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        int slash = n.lastIndexOf('/');
        return slash < 0 ? n : n.substring(slash + 1);
    }
}
