package dev.courier.client;

import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.ErrorCode;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Turns one range stream's chunks into {@link SampleBlock}s: checks each chunk's CRC32C, then decodes its f64 or
 * scaled rows ({@link RowDecoder}). It neither releases the chunk nor gives credit back; its caller does both. One
 * per stream, for one thread at a time.
 */
final class BlockDecoder {
    private final long fromSample;
    private final int step;
    private final int channelCount;
    private final int rowBytes;
    private final CRC32C crc = new CRC32C();

    BlockDecoder(long fromSample, int step, int channelCount) {
        this.fromSample = fromSample;
        this.step = step;
        this.channelCount = channelCount;
        this.rowBytes = channelCount * Double.BYTES;
    }

    /** Bytes of credit a block stands for: credit counts f64 rows, however its chunk came. */
    int creditBytes(SampleBlock block) {
        return block.rows() * rowBytes;
    }

    /**
     * @throws CourierException CHECKSUM_MISMATCH for rows that do not match their CRC32C, BAD_REPLY for rows
     *                          {@link RowDecoder} refuses
     */
    SampleBlock decode(ChunkReply c) {
        ByteBuf data = c.data();
        // One view of the rows for the CRC and the decoder: whatever ByteBuf class the chunk came in (a slice of
        // the read, a cumulation), the decoder sees a ByteBuffer, and a chunk that spans buffers is merged once.
        ByteBuffer rows = data.nioBuffer(data.readerIndex(), data.readableBytes());
        int start = rows.position();
        crc.reset();
        crc.update(rows);
        rows.position(start);
        if (!c.hasCrc() || (int) crc.getValue() != c.crc32c()) {
            throw new CourierException(ErrorCode.CHECKSUM_MISMATCH, "the rows at byte " + c.offsetBytes()
                    + " of the range do not match their CRC32C");
        }
        long firstSample = fromSample + c.offsetBytes() / rowBytes * step;
        return c.scaled() ? RowDecoder.scaled(rows, channelCount, firstSample, step)
                : RowDecoder.f64(rows, channelCount, firstSample, step);
    }
}
