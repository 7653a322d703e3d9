package dev.courier.client;

import dev.courier.client.internal.StreamHandle;
import dev.courier.client.internal.StreamListener;
import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.ErrorCode;
import io.netty.buffer.ByteBuf;
import java.util.ArrayDeque;
import java.util.zip.CRC32C;

/**
 * A range read in progress (RANGE_STREAM): the rows the server streams, taken block by block with {@link #next()}
 * on the caller's thread. Memory is bounded for any length: the server sends only within the credit this stream
 * grants, and it grants a block's bytes back only once {@link #next()} has handed that block out, so at most the
 * window ({@code windowBytes}, 1 MiB by default) waits here however slowly the caller reads.
 *
 * <p>Each chunk's CRC32C is checked; a mismatch fails the read with CHECKSUM_MISMATCH. Chunks come as f64 rows or,
 * from a server that has the columns as i16 decimals, scaled (flag SCALED); {@link RowDecoder} turns both into the
 * same doubles. {@link #close()} before the
 * end cancels the stream. {@link #next()} is for one consumer thread; the event loop feeds it.
 */
public final class SampleStream implements AutoCloseable {
    private final long fromSample;
    private final int step;
    private final int channelCount;
    private final int rowBytes;
    /** Chunks arrived and not taken; guarded by {@code this}. */
    private final ArrayDeque<ChunkReply> chunks = new ArrayDeque<>();
    private final CRC32C crc = new CRC32C();
    private StreamHandle handle;
    /** Guarded by {@code this}. */
    private boolean ended;
    private CourierException failure;
    private boolean closed;

    SampleStream(long fromSample, int step, int channelCount) {
        this.fromSample = fromSample;
        this.step = step;
        this.channelCount = channelCount;
        this.rowBytes = channelCount * Double.BYTES;
    }

    /** Where the connection delivers the stream's chunks; on its event loop. */
    StreamListener listener() {
        return new StreamListener() {
            @Override
            public void chunk(ChunkReply chunk) {
                synchronized (SampleStream.this) {
                    if (closed) {
                        chunk.release();
                        return;
                    }
                    chunks.add(chunk);
                    SampleStream.this.notifyAll();
                }
            }

            @Override
            public void ended(long endOffsetBytes) {
                synchronized (SampleStream.this) {
                    ended = true;
                    SampleStream.this.notifyAll();
                }
            }

            @Override
            public void failed(CourierException e) {
                synchronized (SampleStream.this) {
                    failure = e;
                    SampleStream.this.notifyAll();
                }
            }
        };
    }

    void started(StreamHandle handle) {
        this.handle = handle;
    }

    /**
     * The next rows, waiting for them; null once every row was handed out.
     *
     * @throws CourierException the server's typed error (UNKNOWN_RECORD, TIME_OUT_OF_RANGE, ...), CHECKSUM_MISMATCH,
     *                          or the connection's failure
     */
    public SampleBlock next() {
        ChunkReply c;
        synchronized (this) {
            while (true) {
                if (closed) {
                    throw new IllegalStateException("the stream is closed");
                }
                // A chunk that came before an ERROR was good; the error is reported after it.
                c = chunks.poll();
                if (c != null && c.data().isReadable()) {
                    break;
                }
                if (c != null) {
                    c.release(); // the empty END
                    continue;
                }
                if (failure != null) {
                    throw failure;
                }
                if (ended) {
                    return null;
                }
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CourierException(ErrorCode.CONNECTION_CLOSED, "interrupted while reading a range", e);
                }
            }
        }
        try {
            return decode(c);
        } finally {
            c.release();
        }
    }

    private SampleBlock decode(ChunkReply c) {
        ByteBuf data = c.data();
        int n = data.readableBytes();
        crc.reset();
        crc.update(data.nioBuffer(data.readerIndex(), n));
        if (!c.hasCrc() || (int) crc.getValue() != c.crc32c()) {
            close();
            throw new CourierException(ErrorCode.CHECKSUM_MISMATCH, "the rows at byte " + c.offsetBytes()
                    + " of the range do not match their CRC32C");
        }
        double[] values;
        try {
            values = c.scaled() ? RowDecoder.scaled(data, channelCount) : RowDecoder.f64(data, channelCount);
        } catch (CourierException e) {
            close();
            throw e;
        }
        // Credit counts f64 rows, however the chunk came.
        handle.consumed(values.length * Double.BYTES);
        return new SampleBlock(fromSample + c.offsetBytes() / rowBytes * step, step, channelCount, values);
    }

    /** Cancels the stream if it is still running, and drops the rows not taken. Idempotent. */
    @Override
    public void close() {
        boolean cancel;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            cancel = !ended && failure == null;
            for (ChunkReply c; (c = chunks.poll()) != null; ) {
                c.release();
            }
        }
        if (cancel && handle != null) {
            handle.cancel();
        }
    }
}
