package dev.courier.server.live;

import io.netty.buffer.ByteBuf;

/**
 * The rows of one acknowledged APPEND as every subscriber of its record receives them: one buffer of big-endian
 * f64, a value per channel per row (the layout of RANGE_STREAM's rows with every channel), written once and shared,
 * each subscriber holding a reference (a count) of its own. Immutable: nobody writes into the buffer, nor moves its
 * indexes, once made.
 *
 * @param rows        the bytes; the holder releases its reference
 * @param firstSample the sample index of the first row
 * @param rowCount    rows in the block
 * @param crc32c      the CRC32C of all of {@code rows}: a chunk that carries the whole block to a subscriber of every
 *                    channel has this CRC, computed once for all subscribers
 */
record LiveBlock(ByteBuf rows, long firstSample, int rowCount, int crc32c) {
    long endSample() {
        return firstSample + rowCount;
    }

    /**
     * Another reference to the same bytes, for one more subscriber: a count, not a duplicate (nobody moves the
     * buffer's indexes, every read is absolute), so fanning out to a thousand allocates nothing.
     */
    LiveBlock share() {
        rows.retain();
        return this;
    }
}
