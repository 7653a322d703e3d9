package dev.courier.client.internal;

import dev.courier.client.ChunkListener;
import dev.courier.client.CourierException;
import dev.courier.client.DownloadOptions;
import dev.courier.client.DownloadProgress;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Sha256;
import java.io.IOException;

/**
 * One pass of a download: fetches what a {@link PartFile} is missing over several connections ({@link TransferLanes}
 * with {@link ChunkReads}), and hashes the whole file in order as the chunks arrive, the resumed bytes included, so
 * the finished file is never read back. Whether the hash is the one the server announced is the caller's to judge.
 *
 * <p>Threading: {@link #fetch} blocks until the pass ends; one fetcher may run several passes one after another.
 */
public final class ChunkFetcher {
    private final Dialer dialer;
    private final DownloadOptions options;
    private final DownloadProgress progress;
    private final ChunkListener chunkListener;

    /** What one pass did. */
    public record Fetched(String sha256Hex, int connections, long fetchedBytes, long refetchedChunks) {
    }

    public ChunkFetcher(Dialer dialer, DownloadOptions options, DownloadProgress progress,
                        ChunkListener chunkListener) {
        this.dialer = dialer;
        this.options = options;
        this.progress = progress;
        this.chunkListener = chunkListener;
    }

    /**
     * Fetches every chunk {@code file} is missing, in chunks of {@code chunkBytes}.
     *
     * @param first the connection the first lane starts on (left open), or null
     * @return the SHA-256 of the whole file as received (null when the options turn the digest off), the
     *         connections used, the bytes received and the chunks fetched again
     * @throws CourierException the pass's failure: the server's typed error (FILE_CHANGED when the file changed
     *                          under a read), TIMED_OUT, VERIFICATION_FAILED, BAD_REPLY or LOCAL_IO_ERROR
     * @throws IOException      the part file could not be read back for hashing
     */
    public Fetched fetch(String name, PartFile file, int chunkBytes, WireConnection first) throws IOException {
        long size = file.version().sizeBytes();
        // Chunks may run ahead of the hashing point by this much; beyond it lanes wait for the gap to fill.
        long windowBytes = Math.max(64L << 20, 4L * options.connections() * options.readsPerConnection() * chunkBytes);
        ChunkQueue queue = new ChunkQueue(file.onDisk(), size, chunkBytes);
        // The digest hashes what an earlier pass left on disk first; the lanes fetch only within the window past
        // the hashing point, and it wakes them each time that point moves.
        try (InOrderDigest digest = options.verifyDigest()
                ? new InOrderDigest(size, file.onDisk(), file.channel(), queue::nudge) : null) {
            ChunkReads reads = new ChunkReads(name, size, file.writer(), digest, file.resumedBytes(), windowBytes,
                    progress, chunkListener);
            TransferLanes<ChunkReads.Read> lanes = new TransferLanes<>(dialer, options, queue, reads, progress);
            int connections = lanes.lanes();
            progress.advanced(file.resumedBytes(), size);
            lanes.run(first);
            reads.flush();
            return new Fetched(digest == null ? null : finish(name, digest), connections, reads.fetchedBytes(),
                    lanes.requeued());
        }
    }

    private static String finish(String name, InOrderDigest digest) throws IOException {
        Sha256 sha = digest.finish();
        if (sha == null) {
            throw new CourierException(ErrorCode.VERIFICATION_FAILED, name + ": bytes are missing at "
                    + digest.hashedBytes() + " after every chunk was reported done");
        }
        return sha.hex();
    }
}
