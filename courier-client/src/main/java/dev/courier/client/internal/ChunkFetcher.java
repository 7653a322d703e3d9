package dev.courier.client.internal;

import dev.courier.client.ChunkListener;
import dev.courier.client.CourierException;
import dev.courier.client.DownloadOptions;
import dev.courier.client.DownloadProgress;
import dev.courier.journal.RangeSet;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Sha256;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One pass of a download: fetches what a {@link PartFile} is missing over several connections
 * ({@link TransferLanes}), by READ_STREAM ({@link StreamReads}) when the options allow it, and by per-chunk READs
 * ({@link ChunkReads}) from a server that answers it UNKNOWN_TYPE (one that predates streams): then the READs fetch
 * exactly what the streams had not. The whole file is hashed in order as the chunks arrive, the resumed bytes
 * included, so the finished file is never read back. Whether the hash is the one the server announced is the
 * caller's to judge.
 *
 * <p>Threading: {@link #fetch} blocks until the pass ends; one fetcher may run several passes one after another.
 */
public final class ChunkFetcher {
    /** Streams kept open per connection: one to drain while the next one starts. */
    static final int STREAMS_PER_CONNECTION = 2;
    /** The least hashing window: how far chunks may run ahead of the SHA-256's hashing point. */
    static final long MIN_HASH_WINDOW_BYTES = 16L << 20;

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
        // Chunks may run ahead of the hashing point by this much; beyond it lanes wait for the gap to fill. Small
        // enough that the chunks the digest holds are still in the cache when it hashes them and the read buffers
        // are reused (64 MiB took twice the page faults and 1.2x the CPU: docs/benchmarks.md, "The digest without
        // the hand-off").
        long windowBytes = Math.max(MIN_HASH_WINDOW_BYTES,
                4L * options.connections() * options.readsPerConnection() * chunkBytes);
        AtomicReference<ChunkQueue> queue = new AtomicReference<>();
        AtomicReference<StreamReads> streams = new AtomicReference<>();
        // The digest hashes what an earlier pass left on disk first; the lanes fetch only within the window past
        // the hashing point, and it wakes them each time that point moves.
        try (InOrderDigest digest = options.verifyDigest()
                ? new InOrderDigest(size, file.onDisk(), file.channel(), () -> hashMoved(queue, streams)) : null) {
            ChunkStore store = new ChunkStore(name, size, file.writer(), digest, file.onDisk(), progress,
                    RateLimit.of(options.rateLimitBytesPerSecond()));
            progress.advanced(file.resumedBytes(), size);
            long requeued = 0;
            int connections = 0;
            WireConnection lane0 = first;
            if (options.stream()) {
                int window = Math.max(options.streamWindowBytes(), chunkBytes);
                StreamReads reads = new StreamReads(store, file.version(), windowBytes, window, chunkBytes,
                        chunkListener);
                streams.set(reads);
                // Every connection gets a share: the stripe is smaller on a file with fewer stripes than that.
                long share = Math.max(chunkBytes, (size + options.connections() - 1) / options.connections());
                long piece = options.streamPieceBytes() > 0 ? Math.min(options.streamPieceBytes(), share) : share;
                TransferLanes<StreamReads.Stream> lanes = lanes(new ChunkQueue(file.onDisk(), size,
                        (int) Math.min(Integer.MAX_VALUE, piece)), queue, reads,
                        options.withReadsPerConnection(Math.min(STREAMS_PER_CONNECTION, options.readsPerConnection())));
                connections = lanes.lanes();
                try {
                    lanes.run(first);
                    return done(name, store, digest, connections, lanes.requeued());
                } catch (CourierException e) {
                    if (e.code() == ErrorCode.UNKNOWN_TYPE) {
                        progress.note("the server does not know READ_STREAM; reading chunk by chunk");
                    } else if (e.code() == ErrorCode.TOO_MANY_STREAMS) {
                        // A server configured for fewer streams per connection than a lane opens: what the
                        // streams have not fetched is read chunk by chunk, which every server allows.
                        progress.note("the server allows fewer streams per connection than "
                                + STREAMS_PER_CONNECTION + "; reading the rest chunk by chunk");
                    } else {
                        throw e;
                    }
                    requeued = lanes.requeued();
                    lane0 = null; // closed by the server (UNKNOWN_TYPE is fatal) or by the failed lanes
                }
            }
            RangeSet have = store.have();
            TransferLanes<ChunkReads.Read> lanes = lanes(new ChunkQueue(have, size, chunkBytes), queue,
                    new ChunkReads(store, windowBytes, chunkListener), options);
            connections = Math.max(connections, lanes.lanes());
            lanes.run(lane0);
            return done(name, store, digest, connections, requeued + lanes.requeued());
        }
    }

    private <O extends RangeExchange.InFlight> TransferLanes<O> lanes(ChunkQueue q, AtomicReference<ChunkQueue> queue,
                                                                     RangeExchange<O> exchange, DownloadOptions o) {
        queue.set(q);
        return new TransferLanes<>(dialer, o, q, exchange, progress);
    }

    private static void hashMoved(AtomicReference<ChunkQueue> queue, AtomicReference<StreamReads> streams) {
        ChunkQueue q = queue.get();
        if (q != null) {
            q.nudge();
        }
        StreamReads s = streams.get();
        if (s != null) {
            s.hashMoved();
        }
    }

    private static Fetched done(String name, ChunkStore store, InOrderDigest digest, int connections,
                                long requeued) throws IOException {
        store.flush();
        return new Fetched(digest == null ? null : finish(name, digest), connections, store.fetchedBytes(),
                requeued);
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
