package dev.courier.server.live;

import io.netty.buffer.ByteBuf;

/**
 * The rows of one acknowledged APPEND as every subscriber of its record receives them: one buffer of big-endian
 * f64, a value per channel per row (the layout of RANGE_STREAM's rows with every channel), written once and shared,
 * each subscriber holding a retained duplicate of its own. Immutable: nobody writes into the buffer once made.
 *
 * @param rows        the bytes; the holder releases its reference
 * @param firstSample the sample index of the first row
 * @param rowCount    rows in the block
 */
record LiveBlock(ByteBuf rows, long firstSample, int rowCount) {
    long endSample() {
        return firstSample + rowCount;
    }

    /** Another reference to the same bytes, with indexes of its own. */
    LiveBlock share() {
        return new LiveBlock(rows.retainedDuplicate(), firstSample, rowCount);
    }
}
