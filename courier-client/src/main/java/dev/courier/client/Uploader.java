package dev.courier.client;

import dev.courier.client.internal.ChunkWrites;
import dev.courier.client.internal.ConnectionSlot;
import dev.courier.client.internal.Deadline;
import dev.courier.client.internal.Dialer;
import dev.courier.client.internal.Retry;
import dev.courier.client.internal.TransferLanes;
import dev.courier.client.internal.WireConnection;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Sha256;
import dev.courier.protocol.UploadDone;
import dev.courier.protocol.UploadReady;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.CompletableFuture;

/**
 * Uploads one local file over several connections in chunks, each with its CRC32C; the server keeps them in a
 * journaled part file and renames it into place only after checking the whole file's SHA-256. Interrupted uploads
 * resume: beginning the same name with the same content again, the server says which bytes it already holds. Lost
 * connections are reopened with backoff until nothing has been acknowledged for the stall timeout.
 *
 * <p>It mirrors {@link Downloader}: the BEGIN goes on the upload's first connection (retried on new ones while a new
 * connection may cure its failure), which then carries the first connection's share of the writes and, at the end,
 * the COMMIT.
 *
 * <p>Threading: {@link #upload} blocks until the file is in place on the server or the upload failed; the writes
 * move on virtual threads of its own and the client's event loops. One instance may run several uploads.
 */
public final class Uploader {
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
            Sha256 sha = sha256(in, size);
            return upload(remoteName, size, sha, in, start);
        } catch (IOException e) {
            throw new CourierException(ErrorCode.LOCAL_IO_ERROR, "cannot read " + local + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw CourierException.unwrap(e);
        }
    }

    private UploadResult upload(String name, long size, Sha256 sha, FileChannel in, long startNanos) {
        Dialer dialer = client.dialer();
        Retry retry = new Retry(dialer.scheduler(), options.backoff());
        try (ConnectionSlot control = new ConnectionSlot(dialer)) {
            control.connectFirst();
            UploadReady ready = CourierException.join(retry.run(
                    attempt -> control.call(c -> c.uploadBegin(name, size, sha)),
                    Deadline.in(options.stallTimeoutMillis())));
            ChunkWrites writes = new ChunkWrites(name, size, sha, in, ready, options.stallTimeoutMillis(), progress);
            long resumed = writes.resumedBytes();
            if (resumed > 0) {
                progress.note("resuming the upload of " + name + ": the server already holds " + resumed
                        + " of " + size + " bytes");
            }
            progress.advanced(resumed, size);
            TransferLanes<?> lanes = new TransferLanes<>(dialer, options, writes.queue(options.chunkBytes()), writes,
                    progress);
            lanes.run(control.openNow());
            // A lost reply to a COMMIT is harmless: the server answers a commit it already carried out again.
            UploadDone done = CourierException.join(retry.run(
                    attempt -> control.call(c -> commit(c, attempt, writes, size, sha)), lanes.stallDeadline()));
            return new UploadResult(name, done.sizeBytes(), done.sha256().hex(), System.nanoTime() - startNanos,
                    resumed, writes.sentBytes());
        }
    }

    /**
     * One attempt of the COMMIT. After a lost connection the server may have restarted and forgotten the upload: it
     * is begun again then (the server holds every byte in its journal) and committed under its new id.
     */
    private static CompletableFuture<UploadDone> commit(WireConnection c, int attempt, ChunkWrites writes, long size,
                                                        Sha256 sha) {
        CompletableFuture<UploadDone> commit = c.uploadCommit(writes.uploadId(), size, sha);
        if (attempt == 0) {
            return commit;
        }
        return commit.exceptionallyCompose(err -> {
            if (!(CourierException.unwrap(err) instanceof CourierException e && e.code() == ErrorCode.UNKNOWN_UPLOAD)) {
                return CompletableFuture.failedFuture(err);
            }
            return c.uploadBegin(writes.name(), size, sha).thenCompose(ready -> {
                writes.begun(ready);
                return c.uploadCommit(ready.uploadId(), size, sha);
            });
        });
    }

    private static Sha256 sha256(FileChannel in, long size) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        ByteBuffer buf = ByteBuffer.allocate(1 << 20); // a heap array: the SHA intrinsics hash it in place
        for (long at = 0; at < size; ) {
            buf.clear();
            int n = in.read(buf, at);
            if (n < 0) {
                throw new IOException("the file shrank while being read");
            }
            at += n;
            sha.update(buf.flip());
        }
        return new Sha256(sha.digest());
    }

    /** The name a local file is uploaded under when none is given: its own file name. */
    public static String defaultRemoteName(Path local) {
        return local.getFileName().toString();
    }
}
