package dev.courier.server.live;

import dev.courier.protocol.CancelStream;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.Failure;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.MessageWriter;
import dev.courier.protocol.SubscribeRequest;
import dev.courier.protocol.WindowUpdate;
import dev.courier.server.ops.ServerMetrics;
import dev.courier.server.ops.ServerMetrics.Port;
import dev.courier.server.points.RangeRows;
import dev.courier.server.points.Recording;
import dev.courier.server.points.RecordingStore;
import dev.courier.server.streams.Credit;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.collection.IntObjectHashMap;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32C;

/**
 * The live subscriptions (SUBSCRIBE) of one connection: each sends its stored rows from {@code fromSample} first,
 * straight from the record's columns, then the rows of every acknowledged APPEND, as CHUNKs under the credit of
 * WINDOW, the offset counting bytes of rows from {@code fromSample}. A chunk carries the rows there are (at most
 * {@code chunkBytes}), so it may be short; the stream ends only on CANCEL (an empty END) or ERROR.
 *
 * <p>Fan-out: an appended block is one buffer shared by every subscriber of the record; a subscription to every
 * channel in order sends slices of it behind its own CHUNK header, with no copy, and one to some channels copies
 * just those. Each subscription's inbox of blocks not yet sent is bounded ({@link LiveConfig#subscriberQueueBytes});
 * past it the subscription is sent SLOW_CONSUMER and ends (the connection goes on), and neither the producer nor
 * the other subscribers wait for it: offering a block never blocks.
 *
 * <p>Arrivals: a block fanned out to many subscriptions of one connection is sent by one task on its loop, with one
 * flush for all of them (one write to the socket, not one per subscription): each subscription that got a block
 * joins {@link #arrived}, and the first to join since the last drain queues the drain.
 *
 * <p>Confined to the connection's event loop, but for {@link Subscription#offer}, which queues the subscription in
 * {@link #arrived} from the syncer thread.
 */
public final class Subscriptions {
    /**
     * Subscriptions one connection may hold: a dashboard or a load generator follows many records over one
     * connection (the bench's 1,000); each costs its inbox, bounded, and no descriptor.
     */
    public static final int MAX_PER_CONNECTION = 4096;
    /** The largest chunk: as RANGE_STREAM's, each is a buffer of the server's. */
    public static final int MAX_CHUNK_BYTES = 1 << 20;

    private final ChannelHandlerContext ctx;
    private final LiveStore live;
    private final RecordingStore recordings;
    private final int maxChunkBytes;
    /** Told of the rows sent; null without metrics. */
    private final ServerMetrics metrics;
    private final IntObjectHashMap<Subscription> open = new IntObjectHashMap<>(4);
    private final CRC32C crc = new CRC32C();
    /** Subscriptions with blocks arrived since the last drain; filled from the syncer thread. */
    private final ConcurrentLinkedQueue<Subscription> arrived = new ConcurrentLinkedQueue<>();
    /** Whether a drain of {@link #arrived} is queued on the loop and has not started yet. */
    private final AtomicBoolean drainQueued = new AtomicBoolean();
    private boolean pumping;
    private boolean pumpAgain;

    /**
     * @param maxChunkBytes the connection's chunk cap, agreed at the handshake
     * @param metrics       told of the sample bytes sent; null without metrics
     */
    public Subscriptions(ChannelHandlerContext ctx, LiveStore live, RecordingStore recordings, int maxChunkBytes,
                         ServerMetrics metrics) {
        this.ctx = ctx;
        this.metrics = metrics;
        this.live = live;
        this.recordings = recordings;
        this.maxChunkBytes = maxChunkBytes;
    }

    /** Whether {@code id} names an open subscription. */
    public boolean has(int id) {
        return open.containsKey(id);
    }

    /**
     * SUBSCRIBE: checks it (the chunk rules of RANGE_STREAM, the record, its channels, {@code fromSample} at most
     * the samples stored), then starts sending.
     */
    public void open(SubscribeRequest r) {
        int id = r.requestId();
        if (open.containsKey(id)) {
            fail(open.get(id), new Failure(ErrorCode.MALFORMED_REQUEST, "subscription "
                    + Integer.toUnsignedString(id) + " is already open; a new one needs an id of its own (both are"
                    + " ended)"));
            ctx.flush();
            return;
        }
        if (open.size() >= MAX_PER_CONNECTION) {
            ctx.writeAndFlush(new ErrorReply(id, ErrorCode.TOO_MANY_STREAMS, "this connection already has "
                    + MAX_PER_CONNECTION + " subscriptions, the most the server allows"));
            return;
        }
        Failure bad = checkChunks(r);
        if (bad != null) {
            ctx.writeAndFlush(bad.toReply(id));
            return;
        }
        Subscription s = new Subscription(id, r.record(), r.fromSample(), r.channels().length, r.chunkBytes(),
                r.windowBytes(), live.config().subscriberQueueBytes());
        s.onArrival(() -> arrived(s));
        try {
            // From here s gets every block after 'before'; the stored rows before it come from the columns.
            Recording before = live.subscribe(r.record(), s);
            try {
                RangeRows history = recordings.rows(r.record(), r.fromSample(), before.sampleCount(), 1,
                        r.channels());
                s.start(before.sampleCount(), history, picked(r.channels(), before.channelCount()),
                        before.channelCount());
            } catch (Failure e) {
                live.unsubscribe(r.record(), s);
                s.close();
                throw e;
            }
        } catch (Failure e) {
            ctx.writeAndFlush(e.toReply(id));
            return;
        }
        open.put(id, s);
        pump(s);
    }

    /** Null when {@code channels} is every one of the record's {@code count} channels in order. */
    private static int[] picked(int[] channels, int count) {
        boolean all = channels.length == count;
        for (int i = 0; all && i < channels.length; i++) {
            all = channels[i] == i + 1;
        }
        if (all) {
            return null;
        }
        int[] picked = new int[channels.length];
        for (int i = 0; i < channels.length; i++) {
            picked[i] = channels[i] - 1; // checked against the record by RecordingStore.rows
        }
        return picked;
    }

    private Failure checkChunks(SubscribeRequest r) {
        int cap = Math.min(maxChunkBytes, MAX_CHUNK_BYTES);
        if (Integer.compareUnsigned(r.chunkBytes(), cap) > 0) {
            return new Failure(ErrorCode.CHUNK_TOO_LARGE, "chunks of " + Integer.toUnsignedString(r.chunkBytes())
                    + " bytes exceed this connection's cap of " + cap + " for subscriptions");
        }
        if (r.chunkBytes() < FrameDescriptor.MIN_CHUNK_CAP_BYTES || r.chunkBytes() % r.rowBytes() != 0) {
            return new Failure(ErrorCode.MALFORMED_REQUEST, "chunks of " + r.chunkBytes() + " bytes must be at "
                    + "least " + FrameDescriptor.MIN_CHUNK_CAP_BYTES + " and a whole number of " + r.rowBytes()
                    + "-byte rows");
        }
        if (r.windowBytes() < r.chunkBytes()) {
            return new Failure(ErrorCode.MALFORMED_REQUEST, "a window of " + r.windowBytes()
                    + " bytes is smaller than one chunk of " + r.chunkBytes());
        }
        return null;
    }

    /** WINDOW for a subscription: more credit. */
    public void window(WindowUpdate w) {
        Subscription s = open.get(w.requestId());
        if (s == null) {
            return;
        }
        long credit = Credit.add(s.creditBytes, w.incrementBytes());
        if (credit < 0) {
            fail(s, Credit.overflow(s.creditBytes, w.incrementBytes()));
            return;
        }
        s.creditBytes = credit;
        pump(s);
    }

    /** CANCEL: an empty END at the offset reached, and the subscription ends. */
    public void cancel(CancelStream c) {
        Subscription s = open.get(c.requestId());
        if (s == null) {
            return;
        }
        ByteBuf header = ctx.alloc().ioBuffer(FrameDescriptor.CHUNK_OVERHEAD_BYTES);
        MessageWriter.writeChunkHeader(s.id, offsetOf(s), 0, false, true, true, 0, header);
        ctx.write(header);
        close(s);
    }

    /** An ERROR with {@code requestId} went out: if it is a subscription's, that one ends. */
    public void endedByError(int requestId) {
        Subscription s = open.get(requestId);
        if (s != null) {
            close(s);
        }
    }

    /** The connection is gone: every subscription ends without a frame. */
    public void closeAll() {
        for (Subscription s : new ArrayList<>(open.values())) {
            close(s);
        }
    }

    /**
     * Sends chunks while the channel is writable: each subscription in turn, one chunk each round, until none has
     * both rows and credit; a subscription found slow is ended with SLOW_CONSUMER. Flushes once. Not re-entrant.
     */
    public void pump() {
        if (pumping) {
            pumpAgain = true;
            return;
        }
        pumping = true;
        boolean wrote = false;
        try {
            do {
                pumpAgain = false;
                boolean sent = true;
                while (sent && ctx.channel().isWritable()) {
                    sent = false;
                    for (Subscription s : new ArrayList<>(open.values())) {
                        if (s.slow()) {
                            fail(s, slowConsumer(s));
                            wrote = true;
                        } else if (!s.closed && sendChunk(s)) {
                            sent = true;
                            wrote = true;
                        }
                    }
                }
            } while (pumpAgain);
        } finally {
            pumping = false;
        }
        if (wrote) {
            ctx.flush();
        }
    }

    /** On the syncer thread: {@code s} has blocks; it is sent by the next drain, queued if none is. */
    private void arrived(Subscription s) {
        arrived.add(s);
        if (drainQueued.compareAndSet(false, true)) {
            ctx.executor().execute(this::drainArrived);
        }
    }

    /**
     * On the loop: sends what each subscription in {@link #arrived} can, then flushes once for all of them. A
     * subscription that arrives after the queue was emptied queues the next drain.
     */
    private void drainArrived() {
        drainQueued.set(false);
        boolean wrote = false;
        for (Subscription s; (s = arrived.poll()) != null; ) {
            s.arrivalTaken();
            wrote |= send(s);
        }
        if (wrote) {
            ctx.flush();
        }
    }

    /**
     * Sends what {@code s} alone can send (blocks arrived, or credit granted), and flushes: the others are not
     * visited, so a block fanned out to n subscriptions of a connection costs n sends, not n turns over all of them.
     */
    private void pump(Subscription s) {
        if (send(s)) {
            ctx.flush();
        }
    }

    /** What {@link #pump(Subscription)} does, without the flush: whether it wrote anything. */
    private boolean send(Subscription s) {
        if (s.closed || pumping) {
            return false;
        }
        if (s.slow()) {
            fail(s, slowConsumer(s));
            return true;
        }
        boolean wrote = false;
        while (ctx.channel().isWritable() && sendChunk(s)) {
            wrote = true;
        }
        return wrote;
    }

    private Failure slowConsumer(Subscription s) {
        return new Failure(ErrorCode.SLOW_CONSUMER, "subscription to '" + s.record + "' fell more than "
                + live.config().subscriberQueueBytes() + " bytes behind; it is ended (the connection goes on): read"
                + " faster or resubscribe from sample " + s.nextSample);
    }

    private static long offsetOf(Subscription s) {
        return (s.nextSample - s.fromSample) * s.rowBytes;
    }

    /** Sends the next chunk of {@code s} if it has rows and credit: stored rows first, then its blocks. */
    private boolean sendChunk(Subscription s) {
        int allowed = s.rowsAllowed();
        if (allowed == 0) {
            return false;
        }
        long offset = offsetOf(s);
        if (s.nextSample < s.historyEnd) {
            int rows = (int) Math.min(allowed, s.historyEnd - s.nextSample);
            int n = rows * s.rowBytes;
            ByteBuf chunk = ctx.alloc().ioBuffer(FrameDescriptor.CHUNK_OVERHEAD_BYTES + n);
            chunk.writerIndex(FrameDescriptor.CHUNK_OVERHEAD_BYTES);
            s.history.write(s.nextSample - s.fromSample, rows, chunk);
            writeHeader(s, offset, chunk, FrameDescriptor.CHUNK_OVERHEAD_BYTES, n, chunk);
            ctx.write(chunk);
            advance(s, rows);
            return true;
        }
        LiveBlock head = s.head();
        if (head == null) {
            return false;
        }
        int at = (int) (s.nextSample - head.firstSample()); // blocks follow each other from historyEnd on
        int rows = Math.min(allowed, head.rowCount() - at);
        int n = rows * s.rowBytes;
        ByteBuf header = ctx.alloc().ioBuffer(FrameDescriptor.CHUNK_OVERHEAD_BYTES);
        ByteBuf data;
        if (s.picked == null) {
            data = head.rows().retainedSlice(head.rows().readerIndex() + at * s.rowBytes, n); // shared, no copy
        } else {
            data = ctx.alloc().ioBuffer(n);
            int stored = s.channelCount * Double.BYTES;
            for (int r = at; r < at + rows; r++) {
                for (int c : s.picked) {
                    data.writeDouble(head.rows().getDouble(head.rows().readerIndex() + r * stored + c * Double.BYTES));
                }
            }
        }
        if (s.picked == null && at == 0 && rows == head.rowCount()) {
            writeHeader(s, offset, n, head.crc32c(), header); // the whole block: its CRC is the same for everyone
        } else {
            writeHeader(s, offset, data, data.readerIndex(), n, header);
        }
        ctx.write(header);
        ctx.write(data);
        advance(s, rows);
        if (s.nextSample == head.endSample()) {
            s.headDone();
        }
        return true;
    }

    /** Writes the CHUNK header for {@code n} bytes of {@code data} from {@code dataAt} at the start of {@code out}. */
    private void writeHeader(Subscription s, long offset, ByteBuf data, int dataAt, int n, ByteBuf out) {
        crc.reset();
        crc.update(data.nioBuffer(dataAt, n));
        writeHeader(s, offset, n, (int) crc.getValue(), out);
    }

    /** Writes the CHUNK header for {@code n} bytes whose CRC32C is {@code crc32c} at the start of {@code out}. */
    private static void writeHeader(Subscription s, long offset, int n, int crc32c, ByteBuf out) {
        int end = out.writerIndex();
        out.writerIndex(0);
        MessageWriter.writeChunkHeader(s.id, offset, n, false, false, true, crc32c, out);
        out.writerIndex(Math.max(end, FrameDescriptor.CHUNK_OVERHEAD_BYTES));
    }

    private void advance(Subscription s, int rows) {
        if (metrics != null) {
            metrics.samplesSent(Port.COURIER, (long) rows * s.rowBytes);
        }
        s.nextSample += rows;
        s.creditBytes -= (long) rows * s.rowBytes;
    }

    private void fail(Subscription s, Failure e) {
        ctx.write(e.toReply(s.id));
        close(s);
    }

    private void close(Subscription s) {
        if (s.closed) {
            return;
        }
        open.remove(s.id);
        live.unsubscribe(s.record, s);
        s.close();
    }
}
