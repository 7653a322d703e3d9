package dev.courier.client.internal;

import dev.courier.client.CourierException;
import dev.courier.client.DownloadProgress;
import dev.courier.journal.RangeSet;
import dev.courier.protocol.ByteRange;
import dev.courier.protocol.ErrorCode;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * Where a download's verified chunks go, whichever exchange brought them (per-chunk READs or a stream): a chunk's
 * CRC32C is checked, a damaged one refused (and the download failed after {@link #MAX_ATTEMPTS_PER_CHUNK} in a row
 * at one offset), a good one handed to the running digest and to the part file ({@link PartWriter}), and counted as
 * progress once it is recorded. It also knows which ranges are in place, so a pass that ends early (a server that
 * knows no streams) can leave exactly the rest to the next.
 *
 * <p>Thread-safe: lanes and stream consumers store at once.
 */
final class ChunkStore {
    static final int MAX_ATTEMPTS_PER_CHUNK = 20;

    private final String name;
    private final long sizeBytes;
    /** Null when discarding. */
    private final PartWriter out;
    /** Null when not asked to hash. */
    private final InOrderDigest digest;
    private final DownloadProgress progress;
    private final RateLimit rateLimit;
    private final AtomicLong doneBytes;
    private final AtomicLong fetchedBytes = new AtomicLong();
    private final Map<Long, Integer> damagedAttempts = new ConcurrentHashMap<>();
    /** Chunks refused as damaged whose range has not been asked for again yet ({@link #refetch}). */
    private final Set<ByteRange> damagedNotAskedAgain = ConcurrentHashMap.newKeySet();
    /** Guarded by itself. */
    private final RangeSet have = new RangeSet();

    /**
     * @param onDisk    ranges already in place (resumed)
     * @param rateLimit paces what is stored, and so what the server is let send ({@link RateLimit#NONE}: no limit)
     */
    ChunkStore(String name, long sizeBytes, PartWriter out, InOrderDigest digest, RangeSet onDisk,
               DownloadProgress progress, RateLimit rateLimit) {
        this.name = name;
        this.sizeBytes = sizeBytes;
        this.out = out;
        this.digest = digest;
        this.progress = progress;
        this.rateLimit = rateLimit;
        this.doneBytes = new AtomicLong(onDisk.totalBytes());
        for (ByteRange r : onDisk.ranges()) {
            have.add(r.offsetBytes(), r.lengthBytes());
        }
    }

    String name() {
        return name;
    }

    long sizeBytes() {
        return sizeBytes;
    }

    /** Null when the download does not hash. */
    InOrderDigest digest() {
        return digest;
    }

    /**
     * Whether {@link #store} never blocks: nothing is written (discarding) and no rate limit paces it. Then a stream
     * may store its chunks on the event loop as they arrive (CRC32C and the hand-off to the digest thread), with no
     * thread between the socket and the check.
     */
    boolean storesWithoutBlocking() {
        return out == null && rateLimit == RateLimit.NONE;
    }

    /** Bytes received, chunks fetched again included. */
    long fetchedBytes() {
        return fetchedBytes.get();
    }

    /**
     * Verifies and stores the chunk {@code data} at {@code offsetBytes}.
     *
     * @param hasCrc whether the server sent a CRC32C (it always does for streams)
     * @return false when it arrived damaged and must be fetched again
     * @throws CourierException VERIFICATION_FAILED after too many damaged copies in a row; LOCAL_IO_ERROR when the
     *                          part file or its journal cannot be written; CONNECTION_CLOSED when interrupted while
     *                          keeping the rate limit
     */
    boolean store(long offsetBytes, ByteBuf data, boolean hasCrc, int crc32c) {
        int length = data.readableBytes();
        rateLimit.acquire(length);
        fetchedBytes.addAndGet(length);
        int crc = crc32c(data);
        if (hasCrc && crc != crc32c) {
            int n = damagedAttempts.merge(offsetBytes, 1, Integer::sum);
            if (n >= MAX_ATTEMPTS_PER_CHUNK) {
                throw new CourierException(ErrorCode.VERIFICATION_FAILED, name + ": the chunk at " + offsetBytes
                        + " arrived damaged " + n + " times in a row");
            }
            progress.note("chunk at " + offsetBytes + " arrived damaged (CRC32C mismatch); fetching it again");
            damagedNotAskedAgain.add(new ByteRange(offsetBytes, length));
            return false;
        }
        if (digest != null) {
            digest.offer(offsetBytes, data); // hashed on the digest's own thread while this one writes
        }
        long recorded;
        try {
            // Progress counts a chunk once the journal holds it, so whatever was reported survives a kill.
            recorded = out == null ? length : out.write(offsetBytes, data, crc);
        } catch (IOException e) {
            throw new CourierException(ErrorCode.LOCAL_IO_ERROR, "cannot write " + name + ": " + e.getMessage()
                    + " (progress is saved; run again to resume)", e);
        }
        synchronized (have) {
            have.add(offsetBytes, length);
        }
        if (recorded > 0) {
            progress.advanced(doneBytes.addAndGet(recorded), sizeBytes);
        }
        return true;
    }

    /**
     * Whether {@code range} is asked for again because it arrived damaged (a chunk {@link #store} refused), so its
     * request carries flag REFETCH and the server can count it; true once per damaged copy.
     */
    boolean refetch(ByteRange range) {
        return damagedNotAskedAgain.remove(range);
    }

    /** Records the chunks written but not yet in the journal, and reports them as progress. */
    void flush() throws IOException {
        if (out != null) {
            long recorded = out.flush();
            if (recorded > 0) {
                progress.advanced(doneBytes.addAndGet(recorded), sizeBytes);
            }
        }
    }

    /** The ranges in place so far: resumed, and stored by this pass. */
    RangeSet have() {
        RangeSet copy = new RangeSet();
        synchronized (have) {
            for (ByteRange r : have.ranges()) {
                copy.add(r.offsetBytes(), r.lengthBytes());
            }
        }
        return copy;
    }

    /** Chunks may be fetched while they start below this offset: the hashing point plus {@code windowBytes}. */
    long sendLimitBytes(long windowBytes) {
        return digest == null ? Long.MAX_VALUE : digest.hashedBytes() + windowBytes;
    }

    /** The failure when nothing has moved for the stall timeout, for a person. */
    CourierException stalled(long quietMillis) {
        return new CourierException(ErrorCode.TIMED_OUT, name + ": no chunk arrived for " + quietMillis
                + " ms; giving up" + (out != null ? " (progress is saved; run again to resume)" : ""));
    }

    private static int crc32c(ByteBuf data) {
        CRC32C c = new CRC32C();
        for (ByteBuffer b : data.nioBuffers()) {
            c.update(b);
        }
        return (int) c.getValue();
    }
}
