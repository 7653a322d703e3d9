package dev.courier.client;

import dev.courier.client.internal.StreamHandle;
import dev.courier.client.internal.StreamListener;
import dev.courier.protocol.ChunkReply;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A stream of rows (a range read or a live subscription) whose blocks are pushed to a consumer on the connection's
 * event loop as they arrive, for callers that do not want a thread waiting in {@link SampleStream#next()}: no
 * hand-off per block, and the credit for a block goes back as soon as the consumer returns. {@link #done} completes
 * with the rows delivered when the stream ends (a range at its end, a subscription once cancelled), or with its
 * failure: the server's typed error (SLOW_CONSUMER for a subscription that fell behind), CHECKSUM_MISMATCH,
 * BAD_REPLY, the connection's failure, or what the consumer threw (the stream is then cancelled and no block
 * follows).
 *
 * <p>Threading: the listener's methods run on the event loop; {@link #started} on the caller's thread, possibly
 * after the first chunk arrived, so the handle and what waits for it are guarded by {@code this}.
 */
final class PushedBlocks implements StreamListener {
    private final BlockDecoder decoder;
    private final Consumer<SampleBlock> onBlock;
    final CompletableFuture<Long> done = new CompletableFuture<>();
    /** Event loop only. */
    private long rows;
    /** Guarded by this. */
    private StreamHandle handle;
    /** Credit earned before {@link #started}; guarded by this. At most the window, an int. */
    private int pendingCreditBytes;
    /** Guarded by this: a cancel asked for before {@link #started}. */
    private boolean cancelPending;

    PushedBlocks(long fromSample, int step, int channelCount, Consumer<SampleBlock> onBlock) {
        this.decoder = new BlockDecoder(fromSample, step, channelCount);
        this.onBlock = onBlock;
        // The caller holds the future: cancelling it stops the stream, which would otherwise wait for credit.
        done.whenComplete((r, e) -> {
            if (e instanceof CancellationException) {
                cancel();
            }
        });
    }

    synchronized void started(StreamHandle h) {
        handle = h;
        if (cancelPending) {
            h.cancel();
        } else if (pendingCreditBytes > 0) {
            h.consumed(pendingCreditBytes);
        }
        pendingCreditBytes = 0;
    }

    @Override
    public void chunk(ChunkReply chunk) {
        try {
            if (done.isDone() || !chunk.data().isReadable()) {
                return; // after a failure, or the empty END
            }
            SampleBlock block = decoder.decode(chunk);
            onBlock.accept(block);
            rows += block.rows();
            credit(decoder.creditBytes(block));
        } catch (RuntimeException | Error e) {
            cancel();
            done.completeExceptionally(e);
        } finally {
            chunk.release();
        }
    }

    @Override
    public void ended(long endOffsetBytes) {
        done.complete(rows);
    }

    @Override
    public void failed(CourierException failure) {
        done.completeExceptionally(failure);
    }

    private synchronized void credit(int bytes) {
        if (handle == null) {
            pendingCreditBytes += bytes;
        } else {
            handle.consumed(bytes);
        }
    }

    /** Asks the server to stop the stream; {@link #done} completes once it has ended. Idempotent. */
    synchronized void cancel() {
        if (handle == null) {
            cancelPending = true;
        } else {
            handle.cancel();
        }
    }
}
