package dev.courier.client;

import dev.courier.client.internal.ChunkWrites;
import dev.courier.client.internal.ConnectionSlot;
import dev.courier.client.internal.Deadline;
import dev.courier.client.internal.Dialer;
import dev.courier.client.internal.FileSha256;
import dev.courier.client.internal.Retry;
import dev.courier.client.internal.TransferLanes;
import dev.courier.client.internal.VersionTag;
import dev.courier.client.internal.WireConnection;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Sha256;
import dev.courier.protocol.UploadDone;
import dev.courier.protocol.UploadReady;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;

/**
 * Uploads one local file over several connections in chunks, each with its CRC32C; the server keeps them in a
 * journaled part file and renames it into place only after checking the whole file's SHA-256. A large file is hashed
 * on a thread of its own while it is sent ({@link FileSha256}) and its SHA-256 announced in the COMMIT, the BEGIN
 * naming the file's version instead ({@link VersionTag}); a small one, or one sent to a server that predates that,
 * is hashed first and its SHA-256 announced in the BEGIN. Interrupted uploads resume: beginning the same name with
 * the same content (or version) again, the server says which bytes it already holds. Lost connections are reopened
 * with backoff until nothing has been acknowledged for the stall timeout.
 *
 * <p>It mirrors {@link Downloader}: the BEGIN goes on the upload's first connection (retried on new ones while a new
 * connection may cure its failure), which then carries the first connection's share of the writes and, at the end,
 * the COMMIT.
 *
 * <p>Threading: {@link #upload} blocks until the file is in place on the server or the upload failed; the writes
 * move on virtual threads of its own and the client's event loops. One instance may run several uploads.
 */
public final class Uploader {
    /**
     * Files at least this large are hashed while they are sent, and their SHA-256 announced at COMMIT, when the
     * server takes it there; smaller ones are hashed first (at most about 30 ms of a core) and announce it at
     * BEGIN, as every server takes it, without the round trip that asks.
     */
    public static final long DIGEST_AT_COMMIT_MIN_BYTES = 64L << 20;

    private final CourierClient client;
    private final DownloadOptions options;
    private final DownloadProgress progress;

    /** Uses the connection count, chunk size, window, stall timeout and backoff of {@code options}. */
    public Uploader(CourierClient client, DownloadOptions options, DownloadProgress progress) {
        this.client = client;
        this.options = options;
        this.progress = progress;
    }

    /**
     * Uploads {@code local} as {@code remoteName}.
     *
     * @throws CourierException UPLOADS_DISABLED, UPLOAD_CONFLICT, OUTSIDE_ROOT, DISK_FULL, TIMED_OUT,
     *                          LOCAL_IO_ERROR, ...
     */
    public UploadResult upload(Path local, String remoteName) {
        long start = System.nanoTime();
        try (FileChannel in = FileChannel.open(local, StandardOpenOption.READ)) {
            long size = in.size();
            if (size < DIGEST_AT_COMMIT_MIN_BYTES) {
                Sha256 sha = FileSha256.of(in, size);
                return upload(remoteName, size, in, sha, null, start);
            }
            try (FileSha256 hash = FileSha256.start(in, size)) {
                return upload(remoteName, size, in, VersionTag.of(local, size), hash, start);
            }
        } catch (IOException e) {
            throw new CourierException(ErrorCode.LOCAL_IO_ERROR, "cannot read " + local + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw CourierException.unwrap(e);
        }
    }

    /**
     * @param sha256 the file's SHA-256 when {@code hash} is null; otherwise its version tag, which the BEGIN
     *               announces when the server takes the SHA-256 at COMMIT
     * @param hash   the SHA-256 being computed while the file is sent, or null
     */
    private UploadResult upload(String name, long size, FileChannel in, Sha256 sha256, FileSha256 hash,
                                long startNanos) {
        Dialer dialer = client.dialer();
        Retry retry = new Retry(dialer.scheduler(), options.backoff());
        try (ConnectionSlot control = new ConnectionSlot(dialer)) {
            control.connectFirst();
            boolean atCommit = hash != null && CourierException.join(retry.run(
                    attempt -> control.call(WireConnection::takesDigestAtCommit),
                    Deadline.in(options.stallTimeoutMillis())));
            // A server that predates the COMMIT's SHA-256 gets it in the BEGIN, as before: wait for the hash then.
            Sha256 begin = hash == null || atCommit ? sha256 : hash.join();
            UploadReady ready = CourierException.join(retry.run(
                    attempt -> control.call(c -> c.uploadBegin(name, size, begin)),
                    Deadline.in(options.stallTimeoutMillis())));
            ChunkWrites writes = new ChunkWrites(name, size, begin, in, ready, options.stallTimeoutMillis(), progress);
            long resumed = writes.resumedBytes();
            if (resumed > 0) {
                progress.note("resuming the upload of " + name + ": the server already holds " + resumed
                        + " of " + size + " bytes");
            }
            progress.advanced(resumed, size);
            TransferLanes<?> lanes = new TransferLanes<>(dialer, options, writes.queue(options.chunkBytes()), writes,
                    progress);
            lanes.run(control.openNow());
            Sha256 sha = atCommit ? hash.join() : begin;
            // A lost reply to a COMMIT is harmless: the server answers a commit it already carried out again.
            UploadDone done = CourierException.join(retry.run(
                    attempt -> control.call(c -> commit(c, attempt, writes, size, sha, atCommit)),
                    lanes.stallDeadline()));
            return new UploadResult(name, done.sizeBytes(), done.sha256().hex(), System.nanoTime() - startNanos,
                    resumed, writes.sentBytes());
        }
    }

    /**
     * One attempt of the COMMIT. After a lost connection the server may have restarted and forgotten the upload: it
     * is begun again then (the server holds every byte in its journal) and committed under its new id.
     */
    private static CompletableFuture<UploadDone> commit(WireConnection c, int attempt, ChunkWrites writes, long size,
                                                        Sha256 sha, boolean announce) {
        CompletableFuture<UploadDone> commit = c.uploadCommit(writes.uploadId(), size, sha, announce);
        if (attempt == 0) {
            return commit;
        }
        return commit.exceptionallyCompose(err -> {
            if (!(CourierException.unwrap(err) instanceof CourierException e && e.code() == ErrorCode.UNKNOWN_UPLOAD)) {
                return CompletableFuture.failedFuture(err);
            }
            return c.uploadBegin(writes.name(), size, writes.begun()).thenCompose(ready -> {
                writes.begun(ready);
                return c.uploadCommit(ready.uploadId(), size, sha, announce);
            });
        });
    }

    /** The name a local file is uploaded under when none is given: its own file name. */
    public static String defaultRemoteName(Path local) {
        return local.getFileName().toString();
    }
}
