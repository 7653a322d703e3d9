package dev.courier.client.internal;

import dev.courier.client.ChunkListener;
import dev.courier.client.CourierException;
import dev.courier.client.DownloadProgress;
import dev.courier.protocol.ByteRange;
import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.ErrorCode;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * A download's exchange: a range is one READ, answered by one CHUNK. A chunk is checked (its offset, length,
 * {@code LAST} flag and CRC32C) before it is handed to the running digest and written at its offset into the part
 * file, which records it in the journal ({@link PartWriter}); a damaged one is fetched again, up to {@link #MAX_ATTEMPTS_PER_CHUNK} times in a row.
 * Reads go out only within a window past the hashing point, which bounds the chunks the digest holds.
 *
 * <p>Thread-safe: the lanes call it at once; the part writer and the digest are thread-safe.
 */
final class ChunkReads implements RangeExchange<ChunkReads.Read> {
    private static final int MAX_ATTEMPTS_PER_CHUNK = 20;

    private final String name;
    private final long sizeBytes;
    /** Null when discarding. */
    private final PartWriter out;
    /** Null when not asked to hash. */
    private final InOrderDigest digest;
    private final long windowBytes;
    private final DownloadProgress progress;
    private final ChunkListener chunkListener;
    private final AtomicLong doneBytes;
    private final AtomicLong fetchedBytes = new AtomicLong();
    private final Map<Long, Integer> damagedAttempts = new ConcurrentHashMap<>();

    /** One READ in flight. */
    record Read(ByteRange range, CompletableFuture<ChunkReply> reply) implements RangeExchange.InFlight {
    }

    /**
     * @param doneBytes   bytes already in place (resumed)
     * @param windowBytes how far past the hashing point reads may go
     */
    ChunkReads(String name, long sizeBytes, PartWriter out, InOrderDigest digest, long doneBytes, long windowBytes,
               DownloadProgress progress, ChunkListener chunkListener) {
        this.name = name;
        this.sizeBytes = sizeBytes;
        this.out = out;
        this.digest = digest;
        this.doneBytes = new AtomicLong(doneBytes);
        this.windowBytes = windowBytes;
        this.progress = progress;
        this.chunkListener = chunkListener;
    }

    /** Bytes received, chunks fetched again included. */
    long fetchedBytes() {
        return fetchedBytes.get();
    }

    @Override
    public Read send(WireConnection c, ByteRange range) {
        long sentNanos = System.nanoTime();
        CompletableFuture<ChunkReply> reply = c.read(name, range.offsetBytes(), (int) range.lengthBytes())
                .whenComplete((chunk, err) -> {
                    if (chunk != null) {
                        chunkListener.received(range.offsetBytes(), chunk.lengthBytes(),
                                System.nanoTime() - sentNanos);
                    }
                });
        return new Read(range, reply);
    }

    @Override
    public boolean receive(Read read) {
        ChunkReply reply = read.reply().join();
        try {
            return accept(read.range(), reply);
        } catch (IOException e) {
            throw new CourierException(ErrorCode.LOCAL_IO_ERROR, "cannot write " + name + ": " + e.getMessage()
                    + " (progress is saved; run again to resume)", e);
        } finally {
            reply.release();
        }
    }

    /** Verifies a chunk, writes it, journals it, hashes it; false when it arrived damaged. */
    private boolean accept(ByteRange chunk, ChunkReply reply) throws IOException {
        fetchedBytes.addAndGet(reply.lengthBytes());
        long offset = chunk.offsetBytes();
        int length = (int) chunk.lengthBytes();
        boolean shouldBeLast = offset + length == sizeBytes;
        if (reply.offsetBytes() != offset || reply.lengthBytes() != length || reply.last() != shouldBeLast) {
            throw new CourierException(ErrorCode.VERIFICATION_FAILED, name + ": asked for " + length
                    + " bytes at " + offset + ", got " + reply.lengthBytes() + " bytes at " + reply.offsetBytes()
                    + (reply.last() ? " (end of file)" : "") + "; did the file change on the server?");
        }
        ByteBuf data = reply.data();
        int crc = crc32c(data);
        if (reply.hasCrc() && crc != reply.crc32c()) {
            int n = damagedAttempts.merge(offset, 1, Integer::sum);
            if (n >= MAX_ATTEMPTS_PER_CHUNK) {
                throw new CourierException(ErrorCode.VERIFICATION_FAILED, name + ": the chunk at " + offset
                        + " arrived damaged " + n + " times in a row");
            }
            progress.note("chunk at " + offset + " arrived damaged (CRC32C mismatch); fetching it again");
            return false;
        }
        if (digest != null) {
            digest.offer(offset, data); // hashed on the digest's own thread while this one writes
        }
        // Progress counts a chunk once the journal holds it, so whatever was reported survives a kill.
        long recorded = out == null ? length : out.write(offset, data, crc);
        if (recorded > 0) {
            progress.advanced(doneBytes.addAndGet(recorded), sizeBytes);
        }
        return true;
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

    @Override
    public void abandon(Read read) {
        read.reply().thenAccept(ChunkReply::release);
    }

    @Override
    public long sendLimitBytes() {
        return digest == null ? Long.MAX_VALUE : digest.hashedBytes() + windowBytes;
    }

    @Override
    public CourierException stalled(long quietMillis) {
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
