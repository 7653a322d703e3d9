package dev.courier.client;

import dev.courier.client.internal.StreamHandle;
import dev.courier.client.internal.StreamListener;
import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.ErrorCode;
import java.util.ArrayDeque;

/**
 * A range read in progress (RANGE_STREAM): the rows the server streams, taken block by block with {@link #next()}
 * on the caller's thread. Memory is bounded for any length: the server sends only within the credit this stream
 * grants, and it grants a block's bytes back only once {@link #next()} has handed that block out, so at most the
 * window ({@code windowBytes}, 1 MiB by default) waits here however slowly the caller reads.
 *
 * <p>Each chunk's CRC32C is checked; a mismatch fails the read with CHECKSUM_MISMATCH. Chunks come as f64 rows or,
 * from a server that has the columns as i16 decimals, scaled (flag SCALED); {@link RowDecoder} turns both into the
 * same doubles ({@link BlockDecoder}). {@link #close()} before the
 * end cancels the stream. {@link #next()} is for one consumer thread; the event loop feeds it.
 */
public final class SampleStream implements AutoCloseable {
    private final BlockDecoder decoder;
    /** Chunks arrived and not taken; guarded by {@code this}. */
    private final ArrayDeque<ChunkReply> chunks = new ArrayDeque<>();
    private StreamHandle handle;
    /** Guarded by {@code this}. */
    private boolean ended;
    private CourierException failure;
    private boolean closed;

    SampleStream(long fromSample, int step, int channelCount) {
        this.decoder = new BlockDecoder(fromSample, step, channelCount);
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
        SampleBlock block;
        try {
            block = decoder.decode(c);
        } catch (CourierException e) {
            close();
            throw e;
        }
        handle.consumed(decoder.creditBytes(block));
        return block;
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
