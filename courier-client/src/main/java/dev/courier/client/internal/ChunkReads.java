package dev.courier.client.internal;

import dev.courier.client.ChunkListener;
import dev.courier.client.CourierException;
import dev.courier.protocol.ByteRange;
import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.ErrorCode;
import java.util.concurrent.CompletableFuture;

/**
 * A download's exchange with a server that predates streams (or for random access): a range is one READ, answered
 * by one CHUNK. A chunk is checked (its offset, length and {@code LAST} flag) and handed to the {@link ChunkStore},
 * which checks its CRC32C, hashes, writes and journals it; a damaged one is fetched again. Reads go out only within
 * a window past the hashing point, which bounds the chunks the digest holds.
 *
 * <p>Thread-safe: the lanes call it at once; the store is thread-safe.
 */
final class ChunkReads implements RangeExchange<ChunkReads.Read> {
    private final ChunkStore store;
    private final long windowBytes;
    private final ChunkListener chunkListener;

    /** One READ in flight. */
    record Read(ByteRange range, CompletableFuture<ChunkReply> reply) implements RangeExchange.InFlight {
    }

    /** @param windowBytes how far past the hashing point reads may go */
    ChunkReads(ChunkStore store, long windowBytes, ChunkListener chunkListener) {
        this.store = store;
        this.windowBytes = windowBytes;
        this.chunkListener = chunkListener;
    }

    @Override
    public Read send(WireConnection c, ByteRange range) {
        long sentNanos = System.nanoTime();
        CompletableFuture<ChunkReply> reply = c.read(store.name(), range.offsetBytes(), (int) range.lengthBytes(),
                        store.refetch(range))
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
            check(read.range(), reply);
            return store.store(reply.offsetBytes(), reply.data(), reply.hasCrc(), reply.crc32c());
        } finally {
            reply.release();
        }
    }

    /** The chunk is the one asked for: offset, length, and LAST exactly at the end of the file. */
    private void check(ByteRange chunk, ChunkReply reply) {
        long offset = chunk.offsetBytes();
        int length = (int) chunk.lengthBytes();
        boolean shouldBeLast = offset + length == store.sizeBytes();
        if (reply.offsetBytes() != offset || reply.lengthBytes() != length || reply.last() != shouldBeLast) {
            throw new CourierException(ErrorCode.VERIFICATION_FAILED, store.name() + ": asked for " + length
                    + " bytes at " + offset + ", got " + reply.lengthBytes() + " bytes at " + reply.offsetBytes()
                    + (reply.last() ? " (end of file)" : "") + "; did the file change on the server?");
        }
    }

    @Override
    public void abandon(Read read) {
        read.reply().thenAccept(ChunkReply::release);
    }

    @Override
    public long sendLimitBytes() {
        return store.sendLimitBytes(windowBytes);
    }

    @Override
    public CourierException stalled(long quietMillis) {
        return store.stalled(quietMillis);
    }
}
