package dev.courier.server.streams;

import dev.courier.protocol.CancelStream;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.Failure;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.MessageWriter;
import dev.courier.protocol.RangeRequest;
import dev.courier.protocol.StreamRequest;
import dev.courier.protocol.WindowUpdate;
import dev.courier.protocol.WireText;
import dev.courier.server.files.FileService;
import dev.courier.server.access.AccessLog;
import dev.courier.server.files.ChunkBody;
import dev.courier.server.files.SharedFileRegion;
import dev.courier.server.files.StreamSource;
import dev.courier.server.ops.ServerMetrics;
import dev.courier.server.ops.ServerMetrics.Port;
import dev.courier.server.points.RangeRows;
import dev.courier.server.points.RecordingStore;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.collection.IntObjectHashMap;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streaming reads (READ_STREAM and RANGE_STREAM, WINDOW, CANCEL) of one connection: it checks each request against the rules of
 * docs/protocol.md, opens the file and checks its version once per stream, and pumps chunks on the event loop, each
 * the 22-byte CHUNK header and the file range by sendfile ({@link SharedFileRegion}; under TLS, copied into a pooled
 * buffer on the loop, see {@link ChunkBody}), while the channel is writable and the stream has credit. The open streams take turns, one chunk each. The CRC32Cs of the chunks come from the
 * per-version cache, or are computed ahead of the pump in batches of {@link #BATCH_BYTES} on the blocking executor,
 * which also re-checks the file's version for each batch; no chunk needs a thread hop.
 *
 * <p>A RANGE_STREAM runs on the same credit, turns and queue bounds: each of its chunks is one buffer of
 * {@code chunkBytes} at most ({@link #MAX_RANGE_CHUNK_BYTES}), its rows written from the recording's columns when the
 * chunk is sent, with its CRC32C computed then; nothing of the range is held beyond the chunks queued.
 *
 * <p>A stream with no credit, or whose connection is not writable, waits and holds no buffer; the pump resumes on
 * WINDOW and on {@link #pump()}, which the connection's handler calls when the channel becomes writable again.
 *
 * <p>Confined to the connection's event loop, which every method must be called on; work done off it comes back to
 * it. {@link #closeAll()} (the connection is gone) releases every stream's file; CRC batches still running hold a
 * reference of their own, released when they finish.
 */
public final class Streams {
    /**
     * CRC32Cs prepared per batch, and the most prepared ahead of what was sent: enough that the next batch is ready
     * before the current one is sent at several GB/s, little enough that a stream without credit reads at most two
     * batches it may never send.
     */
    static final int BATCH_BYTES = 4 << 20;
    /**
     * Stream bytes (headers and regions) queued in Netty's outbound buffer above which the pump stops, and below
     * which a sent chunk starts it again. Netty's water marks cannot see them: a {@code FileRegion} counts as 0 bytes
     * there. Zero-copy regions cost no memory while queued, so the marks only need to keep the socket fed between
     * two turns of the event loop; see docs/benchmarks.md for the measurement.
     */
    static final int QUEUED_HIGH_BYTES = 4 << 20;
    static final int QUEUED_LOW_BYTES = 2 << 20;
    /**
     * The largest chunk of a RANGE_STREAM: each is a buffer on the heap of the server, unlike a file's zero-copy
     * region, so it is held small; 1 MiB amortises the frame header as well as 8 MiB would.
     */
    public static final int MAX_RANGE_CHUNK_BYTES = 1 << 20;

    private static final Logger log = LoggerFactory.getLogger(Streams.class);

    private final ChannelHandlerContext ctx;
    private final FileService files;
    private final RecordingStore recordings;
    private final Executor blocking;
    private final int maxStreams;
    private final int maxChunkBytes;
    private final Runnable onOpened;
    private final Runnable onEnded;
    private final ChunkBody chunkBody;
    /** The server's metrics; null without them. */
    private final ServerMetrics metrics;
    private final IntObjectHashMap<Stream> open = new IntObjectHashMap<>(4);
    private final ArrayDeque<Stream> ready = new ArrayDeque<>(4);
    /** Bytes of chunks written and not yet sent: what Netty's writability does not count. */
    private long queuedBytes;
    /** For the CRC32C of range chunks; reset for each. */
    private final CRC32C crc = new CRC32C();
    /** The arrays range chunks are read through from the columns, reused. */
    private final RangeRows.Scratch scratch = new RangeRows.Scratch();
    private boolean pumping;
    private boolean pumpAgain;

    /**
     * @param maxStreams    streams one connection may hold open; one more is TOO_MANY_STREAMS
     * @param maxChunkBytes the connection's chunk cap, agreed at the handshake
     * @param onOpened      run when a stream is accepted (a request in flight begins)
     * @param onEnded       run when it ends, once per stream, however it ends
     * @param metrics       told of the file, sample and re-fetched bytes sent; null without metrics
     */
    public Streams(ChannelHandlerContext ctx, FileService files, RecordingStore recordings, Executor blocking,
                   int maxStreams, int maxChunkBytes, Runnable onOpened, Runnable onEnded, ServerMetrics metrics) {
        this.ctx = ctx;
        this.files = files;
        this.recordings = recordings;
        this.blocking = blocking;
        this.maxStreams = maxStreams;
        this.maxChunkBytes = maxChunkBytes;
        this.onOpened = onOpened;
        this.onEnded = onEnded;
        this.chunkBody = ChunkBody.of(ctx.channel());
        this.metrics = metrics;
    }

    /** True when no stream is open. */
    public boolean isEmpty() {
        return open.isEmpty();
    }

    /** READ_STREAM: checks it, then opens the file off the event loop; the chunks follow once it is open. */
    public void open(StreamRequest r) {
        if (!admit(r.requestId(), check(r))) {
            return;
        }
        Stream s = new Stream(r);
        open.put(s.id, s);
        onOpened.run();
        submit(s, () -> {
            StreamSource source = null;
            Failure failure = null;
            try {
                source = files.openStream(r.name(), r.sizeBytes(), r.modifiedMillis());
            } catch (Failure e) {
                failure = e;
            } catch (RuntimeException e) {
                log.warn("opening '{}' for a stream failed", WireText.printable(r.name(), 200), e);
                failure = new Failure(ErrorCode.INTERNAL, "opening the file failed: " + e);
            }
            StreamSource opened = source;
            Failure failed = failure;
            if (!onLoop(() -> started(s, opened, failed)) && opened != null) {
                opened.release();
            }
        });
    }

    /**
     * RANGE_STREAM: checks it against the record and the chunk rules, then sends its rows from the columns, chunk
     * after chunk, as credit allows; no thread hop.
     */
    public void openRange(RangeRequest r) {
        RangeRows rows;
        try {
            rows = recordings.rows(r.record(), r.fromSample(), r.toSample(), r.step(), r.channels());
        } catch (Failure e) {
            admit(r.requestId(), e);
            return;
        }
        if (!admit(r.requestId(), checkRange(r, rows.rowBytes()))) {
            return;
        }
        Stream s = new Stream(r, rows);
        open.put(s.id, s);
        onOpened.run();
        if (s.nextBytes == s.endBytes) {
            end(s); // an empty range: only the END
            return;
        }
        schedule(s);
        pump();
    }

    /**
     * Whether a new stream with id {@code id} may open: not when its request broke a rule ({@code bad}, answered
     * with it), its id is that of a stream still open, or the connection has as many streams as it may.
     */
    private boolean admit(int id, Failure bad) {
        Stream same = open.get(id);
        if (same != null) {
            // The ERROR carries the id of the open stream, and an ERROR with a stream's id ends it: end it too, so
            // that client and server agree no frame of that id follows.
            fail(same, new Failure(ErrorCode.MALFORMED_REQUEST, "stream " + Integer.toUnsignedString(id)
                    + " is already open; a new stream needs an id of its own (both are ended)"));
            return false;
        }
        if (bad != null) {
            ctx.write(bad.toReply(id));
            return false;
        }
        if (open.size() >= maxStreams) {
            ctx.write(new ErrorReply(id, ErrorCode.TOO_MANY_STREAMS, "this connection already has "
                    + maxStreams + " streams open, the most the server allows; wait for one to end"));
            return false;
        }
        return true;
    }

    /** The chunk rules of a RANGE_STREAM, whose rows are {@code rowBytes} each; null when it keeps them. */
    private Failure checkRange(RangeRequest r, int rowBytes) {
        int cap = Math.min(maxChunkBytes, MAX_RANGE_CHUNK_BYTES);
        if (Integer.compareUnsigned(r.chunkBytes(), cap) > 0) {
            return new Failure(ErrorCode.CHUNK_TOO_LARGE, "chunks of " + Integer.toUnsignedString(r.chunkBytes())
                    + " bytes exceed this connection's cap of " + cap + " for ranges");
        }
        if (r.chunkBytes() < FrameDescriptor.MIN_CHUNK_CAP_BYTES || r.chunkBytes() % rowBytes != 0) {
            return new Failure(ErrorCode.MALFORMED_REQUEST, "chunks of " + r.chunkBytes() + " bytes must be at least "
                    + FrameDescriptor.MIN_CHUNK_CAP_BYTES + " and a whole number of " + rowBytes + "-byte rows");
        }
        if (r.windowBytes() < r.chunkBytes()) {
            return new Failure(ErrorCode.MALFORMED_REQUEST, "a window of " + r.windowBytes()
                    + " bytes is smaller than one chunk of " + r.chunkBytes());
        }
        return null;
    }

    /** The rules a READ_STREAM's fields must keep, in the order docs/protocol.md gives them; null when it keeps them. */
    private Failure check(StreamRequest r) {
        if (Integer.compareUnsigned(r.chunkBytes(), maxChunkBytes) > 0) {
            return new Failure(ErrorCode.CHUNK_TOO_LARGE, "chunks of " + Integer.toUnsignedString(r.chunkBytes())
                    + " bytes exceed this connection's chunk cap of " + maxChunkBytes);
        }
        if (r.chunkBytes() < FrameDescriptor.MIN_CHUNK_CAP_BYTES) {
            return new Failure(ErrorCode.MALFORMED_REQUEST, "chunks of " + r.chunkBytes() + " bytes are below the "
                    + FrameDescriptor.MIN_CHUNK_CAP_BYTES + " a stream needs");
        }
        if (r.windowBytes() < r.chunkBytes()) {
            return new Failure(ErrorCode.MALFORMED_REQUEST, "a window of " + r.windowBytes()
                    + " bytes is smaller than one chunk of " + r.chunkBytes());
        }
        if (r.offsetBytes() > r.sizeBytes() || r.lengthBytes() > r.sizeBytes() - r.offsetBytes()) {
            return new Failure(ErrorCode.OFFSET_PAST_END, "bytes " + r.offsetBytes() + " + " + r.lengthBytes()
                    + " run past the end of the " + r.sizeBytes() + "-byte file");
        }
        return null;
    }

    /** Back on the event loop with the opened file, or why it could not be opened. */
    private void started(Stream s, StreamSource source, Failure failure) {
        if (s.closed) {
            // Cancelled or the connection went while the file was opened.
            if (source != null) {
                source.release();
            }
            return;
        }
        if (failure != null) {
            fail(s, failure);
            ctx.flush();
            return;
        }
        s.source = source;
        if (s.nextBytes == s.endBytes) {
            end(s); // length 0: only the END
            ctx.flush();
            return;
        }
        prepare(s);
    }

    /** WINDOW: more credit for an open stream; ignored for an id with none. */
    public void window(WindowUpdate w) {
        Stream s = open.get(w.requestId());
        if (s == null) {
            return;
        }
        long credit = Credit.add(s.creditBytes, w.incrementBytes());
        if (credit < 0) {
            fail(s, Credit.overflow(s.creditBytes, w.incrementBytes()));
            return;
        }
        s.creditBytes = credit;
        schedule(s);
        pump();
    }

    /** CANCEL: the stream ends with an empty END at the offset where it stopped; ignored for an id with none. */
    public void cancel(CancelStream c) {
        Stream s = open.get(c.requestId());
        if (s != null) {
            end(s);
        }
    }

    /**
     * An ERROR with {@code requestId} went out (a malformed WINDOW or READ_STREAM): an ERROR with a stream's id ends
     * that stream, so if one is open it sends nothing more.
     */
    public void endedByError(int requestId) {
        Stream s = open.get(requestId);
        if (s != null) {
            close(s, "error");
        }
    }

    /**
     * Sends chunks while the channel is writable, the queue is below its high mark and some stream can send, one
     * chunk per stream in turn, and flushes. Not re-entrant: a call from inside (a sent chunk's listener, run by the
     * flush) only makes the running one go round again, so a chunk's header and region are never split.
     */
    public void pump() {
        if (pumping) {
            pumpAgain = true;
            return;
        }
        pumping = true;
        try {
            do {
                pumpAgain = false;
                boolean wrote = false;
                while (!ready.isEmpty() && ctx.channel().isWritable() && queuedBytes < QUEUED_HIGH_BYTES) {
                    Stream s = ready.poll();
                    s.queued = false;
                    if (s.canSend()) {
                        sendChunk(s);
                        wrote = true;
                        schedule(s);
                    }
                }
                if (wrote) {
                    ctx.flush();
                }
            } while (pumpAgain);
        } finally {
            pumping = false;
        }
    }

    /** The connection is gone: every stream ends without a frame, and its file reference is released. */
    public void closeAll() {
        for (Stream s : new ArrayList<>(open.values())) {
            close(s, "connection_closed");
        }
        ready.clear();
    }

    private void sendChunk(Stream s) {
        if (s.rows != null) {
            sendRows(s);
            return;
        }
        long from = s.nextBytes;
        int n = s.nextChunkBytes();
        try {
            s.source.checkHolds(from + n);
        } catch (Failure e) {
            fail(s, e);
            return;
        }
        Object body;
        try {
            body = chunkBody.take(s.source.retain().file(), from, n, ctx.alloc());
        } catch (IOException e) {
            fail(s, new Failure(ErrorCode.IO_ERROR, "reading the file failed: " + e.getMessage()));
            return;
        }
        boolean end = from + n == s.endBytes;
        ByteBuf header = ctx.alloc().ioBuffer(FrameDescriptor.CHUNK_OVERHEAD_BYTES);
        MessageWriter.writeChunkHeader(s.id, from, n, from + n == s.fileSizeBytes, end, true, s.takeCrc(), header);
        if (metrics != null) {
            metrics.fileSent(Port.COURIER, n);
            if (s.refetch) {
                metrics.refetched(n);
            }
        }
        ctx.write(header);
        int queued = FrameDescriptor.CHUNK_OVERHEAD_BYTES + n;
        queuedBytes += queued;
        ctx.write(body).addListener((ChannelFutureListener) f -> chunkDone(f, queued));
        s.nextBytes = from + n;
        s.creditBytes -= n;
        if (end) {
            close(s, "ok");
        } else {
            prepare(s);
        }
    }

    /**
     * A RANGE_STREAM's next chunk: its rows written from the columns behind the header, in one buffer; scaled when the
     * client asked for it and every column is an i16 decimal. Offsets and credit count f64 rows either way.
     */
    private void sendRows(Stream s) {
        long from = s.nextBytes;
        int n = s.nextChunkBytes();
        int rowBytes = s.rows.rowBytes();
        int count = n / rowBytes;
        int dataBytes = s.scaled ? s.rows.scaledBytes(count) : n;
        ByteBuf chunk = ctx.alloc().ioBuffer(FrameDescriptor.CHUNK_OVERHEAD_BYTES + dataBytes);
        int headerAt = chunk.writerIndex();
        int dataAt = headerAt + FrameDescriptor.CHUNK_OVERHEAD_BYTES;
        chunk.writerIndex(dataAt);
        if (s.scaled) {
            s.rows.writeScaled(from / rowBytes, count, chunk, scratch);
        } else {
            s.rows.write(from / rowBytes, count, chunk, scratch);
        }
        crc.reset();
        crc.update(chunk.nioBuffer(dataAt, dataBytes));
        int dataEnd = chunk.writerIndex();
        boolean end = from + n == s.endBytes;
        chunk.writerIndex(headerAt);
        MessageWriter.writeChunkHeader(s.id, from, dataBytes, end, end, true, s.scaled, (int) crc.getValue(), chunk);
        chunk.writerIndex(dataEnd);
        if (metrics != null) {
            metrics.samplesSent(Port.COURIER, dataBytes);
        }
        int queued = FrameDescriptor.CHUNK_OVERHEAD_BYTES + dataBytes;
        queuedBytes += queued;
        ctx.write(chunk).addListener((ChannelFutureListener) f -> chunkDone(f, queued));
        s.nextBytes = from + n;
        s.creditBytes -= n;
        if (end) {
            close(s, "ok");
        }
    }

    /**
     * Counts a chunk out of the queue once Netty is done with it, and restarts the pump below the low mark. A chunk
     * whose region did not go out leaves its frame cut short: the framing is lost, so the connection goes.
     */
    private void chunkDone(ChannelFuture f, int queued) {
        queuedBytes -= queued;
        if (!f.isSuccess()) {
            if (f.channel().isActive()) {
                log.info("sending a stream's chunk to {} failed; closing: {}", f.channel().remoteAddress(),
                        f.cause().toString());
                f.channel().close();
            }
            return;
        }
        if (queuedBytes < QUEUED_LOW_BYTES) {
            pump();
        }
    }

    /** Writes the END of a stream that stops where it is (cancelled, or of length 0): no data, the CRC of none. */
    private void end(Stream s) {
        ByteBuf header = ctx.alloc().ioBuffer(FrameDescriptor.CHUNK_OVERHEAD_BYTES);
        MessageWriter.writeChunkHeader(s.id, s.nextBytes, 0, s.nextBytes == s.fileSizeBytes, true, true, 0, header);
        ctx.write(header);
        close(s, s.nextBytes == s.endBytes ? "ok" : "cancelled");
    }

    /** Ends a stream with one ERROR. */
    private void fail(Stream s, Failure e) {
        ctx.write(e.toReply(s.id));
        close(s, e.code().name());
    }

    /** Ends {@code s}: releases its file and writes its access-log line with {@code outcome}. */
    private void close(Stream s, String outcome) {
        if (s.closed) {
            return;
        }
        s.closed = true;
        if (AccessLog.enabled()) {
            AccessLog.transfer(ctx.channel().remoteAddress(), s.rows == null ? "file" : "range", s.name,
                    s.nextBytes - s.startBytes, s.startNanos, outcome);
        }
        open.remove(s.id);
        if (s.source != null) {
            s.source.release();
            s.source = null;
        }
        onEnded.run();
    }

    private void schedule(Stream s) {
        if (!s.queued && s.canSend()) {
            s.queued = true;
            ready.add(s);
        }
    }

    /**
     * Starts the CRC32Cs of the next batch when less than a batch is prepared ahead of what was sent and none is
     * being prepared: at most two batches ahead, and a batch ready before the pump reaches it.
     */
    private void prepare(Stream s) {
        long batchBytes = Math.max(1, BATCH_BYTES / s.chunkBytes) * (long) s.chunkBytes;
        if (s.closed || s.batchInFlight || s.preparedUntilBytes >= s.endBytes
                || s.preparedUntilBytes - s.nextBytes >= batchBytes) {
            return;
        }
        long from = s.preparedUntilBytes;
        long to = Math.min(s.endBytes, from + batchBytes);
        s.batchInFlight = true;
        s.preparedUntilBytes = to;
        StreamSource source = s.source.retain(); // the batch's own: the stream may end while it runs
        boolean submitted = submit(s, () -> {
            int[] crcs = null;
            Failure failure = null;
            try {
                crcs = source.crc32cs(from, to, s.chunkBytes);
            } catch (Failure e) {
                failure = e;
            } catch (RuntimeException e) {
                log.warn("checksumming a stream's chunks failed", e);
                failure = new Failure(ErrorCode.INTERNAL, "checksumming failed: " + e);
            } finally {
                source.release();
            }
            int[] prepared = crcs;
            Failure failed = failure;
            onLoop(() -> prepared(s, prepared, failed));
        });
        if (!submitted) {
            source.release();
        }
    }

    private void prepared(Stream s, int[] crcs, Failure failure) {
        s.batchInFlight = false;
        if (s.closed) {
            return;
        }
        if (failure != null) {
            fail(s, failure);
            ctx.flush();
            return;
        }
        s.addCrcs(crcs);
        prepare(s);
        schedule(s);
        pump();
    }

    /** Runs {@code task} on the blocking executor; false, and the stream ended, when the executor has shut down. */
    private boolean submit(Stream s, Runnable task) {
        try {
            blocking.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            s.batchInFlight = false;
            fail(s, new Failure(ErrorCode.SHUTTING_DOWN, "the server is shutting down"));
            return false;
        }
    }

    /** Runs {@code task} on the event loop; false when the loop has shut down and will run nothing. */
    private boolean onLoop(Runnable task) {
        try {
            ctx.executor().execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }
}
