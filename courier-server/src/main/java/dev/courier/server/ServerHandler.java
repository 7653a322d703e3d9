package dev.courier.server;

import dev.courier.protocol.AppendRequest;
import dev.courier.protocol.CancelStream;
import dev.courier.protocol.DigestReply;
import dev.courier.protocol.DigestRequest;
import dev.courier.protocol.EnvelopeRequest;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.Failure;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Hello;
import dev.courier.protocol.ListReply;
import dev.courier.protocol.ListRequest;
import dev.courier.protocol.Message;
import dev.courier.protocol.MessageWriter;
import dev.courier.protocol.Ping;
import dev.courier.protocol.PointBatchReply;
import dev.courier.protocol.PointBatchRequest;
import dev.courier.protocol.PointRequest;
import dev.courier.protocol.Pong;
import dev.courier.protocol.ProtocolException;
import dev.courier.protocol.RangeRequest;
import dev.courier.protocol.ReadRequest;
import dev.courier.protocol.RecordsRequest;
import dev.courier.protocol.Request;
import dev.courier.protocol.StatReply;
import dev.courier.protocol.StatRequest;
import dev.courier.protocol.StreamRequest;
import dev.courier.protocol.SubscribeRequest;
import dev.courier.protocol.UploadAck;
import dev.courier.protocol.UploadBegin;
import dev.courier.protocol.UploadCommit;
import dev.courier.protocol.UploadDone;
import dev.courier.protocol.UploadReady;
import dev.courier.protocol.UploadWrite;
import dev.courier.protocol.WindowUpdate;
import dev.courier.protocol.WireText;
import dev.courier.server.files.FileService;
import dev.courier.server.files.FileService.OpenChunk;
import dev.courier.server.access.ConnectionRecord;
import dev.courier.server.access.ReadTransfers;
import dev.courier.server.files.ChunkBody;
import dev.courier.server.ops.RequestType;
import dev.courier.server.ops.ServerMetrics;
import dev.courier.server.ops.ServerMetrics.Port;
import dev.courier.server.points.Recording;
import dev.courier.server.live.LiveStore;
import dev.courier.server.live.Subscriptions;
import dev.courier.server.points.RecordingStore;
import dev.courier.server.streams.Streams;
import dev.courier.server.uploads.UploadHolder;
import dev.courier.server.uploads.UploadService;
import dev.courier.transport.Keepalive;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one connection: the handshake, then points on the event loop (they are memory lookups), file and
 * upload requests on the blocking executor, each reply written back on the channel, and streaming reads, which
 * {@link Streams} pumps on the event loop. Replies are flushed once per
 * read batch. Reading pauses while the channel is not writable or too many file requests are in flight, so a
 * client that does not read its replies cannot make the server buffer without bound. Liveness (pings, idle and
 * write timeouts) is a {@link Keepalive} embedded in the frame decoder rather than a pipeline handler of its own:
 * one less slot per connection; this handler acts on its events. A client that takes none of its replies within the
 * write timeout is cut off at once, and a fatal error closes the connection within a short grace even when the
 * client is not reading, so no connection holds its socket and open files for ever.
 */
final class ServerHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ServerHandler.class);
    /** How long a fatal ERROR may take to reach a client that is reading before the connection closes without it. */
    static final long FATAL_CLOSE_GRACE_MILLIS = 2_000;
    /** What a log line keeps of a string from the wire, in chars: a peer must not be able to fill the log. */
    static final int LOGGED_WIRE_CHARS = 200;

    private final ServerContext server;
    private boolean handshaken;
    private boolean closing;
    private boolean inputClosed;
    private int peerMaxFrameBytes;
    private int maxChunkBytes;
    /** How chunks' file bytes go out: set at the handshake, when the TLS handler (if any) is in the pipeline. */
    private ChunkBody chunkBody = ChunkBody.SENDFILE;
    private int fileOpsInFlight;
    /**
     * File and upload requests decoded while {@code maxFileOpsInFlight} were started, waiting for a slot. Reading
     * stops while any wait, so this holds at most one read's worth of requests. Made when first needed: an idle
     * connection, of which a server may hold a million, carries none.
     */
    private ArrayDeque<WaitingFileOp> waitingFileOps;
    /** This connection as the holder of uploads, once it begins one. */
    private UploadHolder uploadHolder;
    /** The connection's streaming reads, once it opens one: idle connections carry none. */
    private Streams streams;
    /** The connection's live subscriptions, once it opens one. */
    private Subscriptions subscriptions;
    /** Point replies of the current read batch, encoded back to back and written as one buffer. */
    private ByteBuf batch;
    /** Tokens and rates, when the server checks either; null otherwise, so requests skip it at one null check. */
    private Gate gate;
    /** The server's metrics, with the operations port; null otherwise, so requests skip them at one null check. */
    private final ServerMetrics metrics;
    /** When the request being handled was read ({@link System#nanoTime()}); kept only with metrics on. */
    private long requestStartNanos;
    /** This connection's access-log record; null while the access log is off. */
    private ConnectionRecord access;
    /**
     * The uploads this connection began or wrote to, with the access log on: when it closes it leaves each (the last
     * connection to leave an upload without a COMMIT ends its transfer line as abandoned). Filled from the blocking
     * executor, so concurrent; empty on a connection that uploads nothing.
     */
    private final Set<Long> uploadsTakenPart = ConcurrentHashMap.newKeySet();
    /** This connection's downloads by READs, for the access log; made on its first READ while the log is on. */
    private ReadTransfers readTransfers;

    ServerHandler(ServerContext server) {
        this.server = server;
        this.metrics = server.metrics().orElse(null);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        access = ConnectionRecord.of(ctx.pipeline());
        endsFileOp = f -> endFileOp(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // The keepalive has heard these bytes already: the frame decoder, which runs it, tells it of every read.
        if (closing) {
            release(msg);
            return;
        }
        if (msg instanceof ProtocolException e) {
            if (!handshaken) {
                // Before the handshake nothing is known of the peer, so every fault is fatal, this one too.
                fatal(ctx, new ProtocolException(ErrorCode.HANDSHAKE_REQUIRED, e.requestId(),
                        "the first frame must be a well-formed HELLO: " + e.getMessage()));
                return;
            }
            // A payload that does not fit its type: that request fails, the connection goes on. An ERROR with an open
            // stream's id (a malformed WINDOW, say) ends that stream.
            endedByError(e.requestId());
            reply(ctx, e.toReply());
            return;
        }
        // The frame decoder reads requests only: a reply type sent to the server is refused there, as UNKNOWN_TYPE.
        Request m = (Request) msg;
        if (!handshaken) {
            handshake(ctx, m);
            return;
        }
        if (metrics != null) {
            requestStartNanos = System.nanoTime();
        }
        if (access != null) {
            access.request();
        }
        // WINDOW and CANCEL belong to streams already open, which a graceful shutdown lets finish.
        if (server.drain().draining()
                && !(m instanceof Ping || m instanceof Pong || m instanceof WindowUpdate || m instanceof CancelStream)) {
            m.release();
            reply(ctx, new ErrorReply(m.requestId(), ErrorCode.SHUTTING_DOWN,
                    "the server is shutting down; retry on a new connection"));
            answered(m, ErrorCode.SHUTTING_DOWN, requestStartNanos);
            return;
        }
        if (gate != null && refused(ctx, m)) {
            return;
        }
        try {
            switch (m) {
                case PointRequest r -> point(ctx, r);
                case PointBatchRequest r -> {
                    RecordingStore.Samples s = server.recordings().samples(r.record(), r.channel(), r.timesSeconds());
                    reply(ctx, new PointBatchReply(r.requestId(), s.indexes(), s.timesSeconds(), s.values()));
                    if (metrics != null) {
                        metrics.samplesSent(Port.COURIER, FrameDescriptor.HEADER_BYTES + Integer.BYTES
                                + (long) s.indexes().length * FrameDescriptor.BATCH_VALUE_BYTES);
                    }
                }
                case ListRequest r -> offload(ctx, r,
                        x -> new ListReply(x.requestId(), server.files().list(x.path(), peerMaxFrameBytes)));
                case StatRequest r -> offload(ctx, r, x -> {
                    FileService.Stat stat = server.files().stat(x.name());
                    return new StatReply(x.requestId(), stat.sizeBytes(), stat.modifiedMillis());
                });
                case DigestRequest r -> digest(ctx, r);
                case ReadRequest r -> read(ctx, r);
                case StreamRequest r -> {
                    writeBatch(ctx);
                    streams(ctx).open(r);
                }
                case RangeRequest r -> {
                    writeBatch(ctx);
                    streams(ctx).openRange(r);
                }
                case RecordsRequest r ->
                        reply(ctx, server.recordings().records(r.requestId(), r.startIndex(), peerMaxFrameBytes));
                case EnvelopeRequest r -> offload(ctx, r, x -> server.recordings().envelope(x, peerMaxFrameBytes));
                case AppendRequest r -> append(ctx, live(), r);
                case SubscribeRequest r -> {
                    writeBatch(ctx);
                    subscriptions(ctx).open(r);
                }
                case WindowUpdate w -> {
                    if (subscriptions != null && subscriptions.has(w.requestId())) {
                        subscriptions.window(w);
                    } else if (streams != null) {
                        streams.window(w);
                    }
                }
                case CancelStream c -> {
                    if (subscriptions != null && subscriptions.has(c.requestId())) {
                        subscriptions.cancel(c);
                    } else if (streams != null) {
                        streams.cancel(c);
                    }
                }
                case UploadBegin r -> {
                    // Made here, on the event loop: the BEGINs of one connection run in parallel off it, and two of
                    // them making a holder each would count the connection's uploads against two caps.
                    UploadHolder owner = holder(ctx);
                    offload(ctx, r, x -> {
                        UploadService.Ready ready = uploads().begin(x.name(), x.sizeBytes(), x.sha256(), owner);
                        if (access != null) {
                            uploads().transfers().begun(ready.uploadId(), x.name(), ctx.channel().remoteAddress(),
                                    uploadsTakenPart.add(ready.uploadId()));
                        }
                        return new UploadReady(x.requestId(), ready.uploadId(), ready.maxWriteBytes(),
                                ready.received());
                    });
                }
                case UploadWrite r -> offload(ctx, r, x -> {
                    try {
                        uploads().write(x.uploadId(), x.offsetBytes(), x.crc32c(), x.data());
                        if (access != null) {
                            tookPart(x.uploadId(), x.lengthBytes());
                        }
                        return new UploadAck(x.requestId(), x.offsetBytes(), x.lengthBytes());
                    } finally {
                        x.release();
                    }
                });
                case UploadCommit r -> offload(ctx, r, this::commit);
                case Ping p -> reply(ctx, new Pong(p.requestId(), p.token()));
                case Pong p -> {
                    // Answers our own liveness probes: hearing it is all the keepalive needs.
                }
                case Hello h -> reply(ctx, new ErrorReply(h.requestId(), ErrorCode.MALFORMED_REQUEST,
                        "HELLO may be sent only once, as the first frame"));
                case ErrorReply e -> log.debug("{} reported {}: {}", ctx.channel().remoteAddress(), e.code(),
                        WireText.printable(e.message(), LOGGED_WIRE_CHARS));
            }
            if (metrics != null && !answeredLater(m)) {
                metrics.request(RequestType.of(m), null, requestStartNanos);
            }
        } catch (Failure e) {
            reply(ctx, e.toReply(m.requestId()));
            answered(m, e.code(), requestStartNanos);
        }
    }

    /** Requests whose answer comes from the blocking executor: they are counted when it is written. */
    private static boolean answeredLater(Request m) {
        return m instanceof ListRequest || m instanceof StatRequest || m instanceof DigestRequest
                || m instanceof ReadRequest || m instanceof EnvelopeRequest || m instanceof UploadBegin
                || m instanceof UploadWrite || m instanceof UploadCommit;
    }

    /** Counts {@code request} as answered, with {@code reply}'s error code if it is an ERROR. */
    private void answered(Message request, Object reply, long startNanos) {
        if (metrics != null || access != null) {
            answered(request, reply instanceof ErrorReply e ? e.code() : null, startNanos);
        }
    }

    private void answered(Message request, ErrorCode failure, long startNanos) {
        if (access != null && failure != null) {
            access.error();
        }
        if (metrics != null && request instanceof Request r) {
            metrics.request(RequestType.of(r), failure, startNanos);
        }
    }

    /** Asks the gate about {@code m}; answers and drops a refused request (and closes for AUTH_FAILED). */
    private boolean refused(ChannelHandlerContext ctx, Request m) {
        ErrorReply refusal = gate.refusal(m, System.nanoTime());
        if (refusal == null) {
            return false;
        }
        m.release();
        answered(m, refusal.code(), requestStartNanos);
        if (refusal.code().fatal()) {
            fatal(ctx, new ProtocolException(refusal.code(), refusal.requestId(), refusal.message()));
            return true;
        }
        endedByError(m.requestId()); // an ERROR with an open stream's id ends that stream
        reply(ctx, refusal);
        return true;
    }

    /** A point is a memory lookup: answered here, on the event loop, into this read batch's buffer. */
    private void point(ChannelHandlerContext ctx, PointRequest r) {
        Recording recording = server.recordings().recording(r.record());
        int index = recording.sampleIndex(r.timeSeconds());
        double value = recording.value(r.channel(), index);
        MessageWriter.writePointValue(r.requestId(), value, index, recording.sampleTimeSeconds(index), batch(ctx));
    }

    /**
     * The buffer this read batch's point replies go into. Writing them as one buffer per batch, not one message
     * each, saves an allocation, an encoder pass and an outbound-buffer entry per request: with pipelined clients
     * that is most of what a point costs.
     */
    private ByteBuf batch(ChannelHandlerContext ctx) {
        if (batch == null) {
            batch = ctx.alloc().ioBuffer(1024);
        }
        return batch;
    }

    /** Writes any batched point replies, then {@code m}, so replies leave in the order they were made. */
    private void reply(ChannelHandlerContext ctx, Message m) {
        writeBatch(ctx);
        ctx.write(m);
    }

    /** APPEND replies completed and not yet written; filled from the syncer thread, drained on the loop. */
    private final ConcurrentLinkedQueue<Message> appendReplies = new ConcurrentLinkedQueue<>();
    /** Whether a {@link #drainAppendReplies} task is queued and has not started yet. */
    private final AtomicBoolean appendDrainQueued = new AtomicBoolean();
    /** Ends an APPEND's file op once its reply is written. */
    private ChannelFutureListener endsFileOp;

    private void writeBatch(ChannelHandlerContext ctx) {
        if (batch != null) {
            if (metrics != null) {
                metrics.samplesSent(Port.COURIER, batch.readableBytes()); // point replies only
            }
            ctx.write(batch);
            batch = null;
        }
    }

    private static void release(Object msg) {
        if (msg instanceof Message m) {
            m.release();
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    /** COMMIT, and with the access log on, the end of its transfer line. */
    private Message commit(UploadCommit x) {
        UploadService.Done done;
        try {
            done = uploads().commit(x.uploadId(), x.sha256());
        } catch (Failure e) {
            if (access != null) {
                uploads().transfers().ended(x.uploadId(), e.code().name());
            }
            throw e;
        }
        if (access != null) {
            uploads().transfers().ended(x.uploadId(), "committed");
        }
        return new UploadDone(x.requestId(), done.sizeBytes(), done.sha256());
    }

    /** An acknowledged write of {@code bytes} to {@code uploadId}, for the access log. */
    private void tookPart(long uploadId, int bytes) {
        boolean first = uploadsTakenPart.add(uploadId); // atomic: parallel writes of one connection count it once
        if (!uploads().transfers().wrote(uploadId, bytes, first) && first) {
            uploadsTakenPart.remove(uploadId); // not an upload the access log follows
        }
    }

    /** This connection as the holder of its uploads; made on its first BEGIN, so idle connections carry none. */
    private UploadHolder holder(ChannelHandlerContext ctx) {
        if (uploadHolder == null) {
            Channel channel = ctx.channel();
            uploadHolder = channel::isActive;
        }
        return uploadHolder;
    }

    /** This connection's streams; made on its first READ_STREAM, after the handshake fixed the chunk cap. */
    private Streams streams(ChannelHandlerContext ctx) {
        if (streams == null) {
            streams = new Streams(ctx, server.files(), server.recordings(), server.blocking(), server.config().maxStreamsPerConnection(),
                    maxChunkBytes, server.drain()::begin, () -> {
                        server.drain().end();
                        closeIfInputDone(ctx);
                    }, metrics);
        }
        return streams;
    }

    /** An ERROR with {@code requestId} goes out: the stream or subscription of that id, if open, ends. */
    private void endedByError(int requestId) {
        if (streams != null) {
            streams.endedByError(requestId);
        }
        if (subscriptions != null) {
            subscriptions.endedByError(requestId);
        }
    }

    /** This connection's live subscriptions; made on its first SUBSCRIBE. */
    private Subscriptions subscriptions(ChannelHandlerContext ctx) {
        if (subscriptions == null) {
            subscriptions = new Subscriptions(ctx, live(), server.recordings(), maxChunkBytes, metrics);
        }
        return subscriptions;
    }

    private LiveStore live() {
        return server.live().orElseThrow(() -> new Failure(ErrorCode.LIVE_DISABLED,
                "this server does not take live records (start it with --live)"));
    }

    /**
     * APPEND: queued for the group commit from the event loop, so one connection's APPENDs are checked in the order
     * they were sent, and counted as a file op, so a producer that pipelines holds at most the server's
     * in-flight cap of them in the store's queue. The ACK (or the error) is queued for the loop when the syncer
     * completes it, with no thread parked on the wait; the ACKs of a group that reach a connection together are
     * written by one task on its loop with one flush ({@link #acknowledged}), not one task each.
     */
    private void append(ChannelHandlerContext ctx, LiveStore store, AppendRequest r) {
        long startNanos = requestStartNanos;
        whenSlotFree(ctx, r, () -> {
            startFileOp(ctx);
            store.append(r).whenComplete((ack, e) -> {
                Message reply = e == null ? ack
                        : e instanceof Failure f ? f.toReply(r.requestId())
                        : new ErrorReply(r.requestId(), ErrorCode.INTERNAL, "append failed: " + e);
                answered(r, reply, startNanos);
                acknowledged(ctx, reply);
            });
        });
    }

    /**
     * On the syncer thread (or wherever the APPEND completed): queues {@code reply} for the loop, and the drain that
     * writes it if none is queued, so a group's ACKs to one connection cost one task and one flush.
     */
    private void acknowledged(ChannelHandlerContext ctx, Message reply) {
        appendReplies.add(reply);
        if (appendDrainQueued.compareAndSet(false, true)) {
            try {
                ctx.executor().execute(() -> drainAppendReplies(ctx));
            } catch (RejectedExecutionException e) {
                appendReplies.clear(); // the loop is gone, and the connection with it: nobody to tell
            }
        }
    }

    /** On the loop: writes every ACK queued so far, each ending its file op once written, and flushes once. */
    private void drainAppendReplies(ChannelHandlerContext ctx) {
        appendDrainQueued.set(false);
        Message reply = appendReplies.poll();
        if (reply == null) {
            return;
        }
        writeBatch(ctx);
        for (; reply != null; reply = appendReplies.poll()) {
            ctx.write(reply).addListener(endsFileOp);
        }
        ctx.flush();
    }

    private UploadService uploads() {
        return server.uploads().orElseThrow(() -> new Failure(ErrorCode.UPLOADS_DISABLED,
                "this server does not accept uploads (start it with --upload-dir DIR)"));
    }

    private void handshake(ChannelHandlerContext ctx, Request m) {
        if (!(m instanceof Hello hello)) {
            m.release();
            fatal(ctx, new ProtocolException(ErrorCode.HANDSHAKE_REQUIRED, m.requestId(),
                    "the first frame must be HELLO, got " + m.getClass().getSimpleName()));
            return;
        }
        if (hello.version() != FrameDescriptor.VERSION) {
            fatal(ctx, new ProtocolException(ErrorCode.UNSUPPORTED_VERSION, hello.requestId(),
                    "this server speaks version " + FrameDescriptor.VERSION + ", not " + hello.version()));
            return;
        }
        ServerConfig config = server.config();
        Gate.Opened opened = Gate.open(server, hello, remoteAddress(ctx), System.nanoTime());
        if (opened != null && opened.failure() != null) {
            ErrorReply f = opened.failure();
            fatalAfter(ctx, new ProtocolException(f.code(), f.requestId(), f.message()), opened.delayMillis());
            return;
        }
        gate = opened == null ? null : opened.gate();
        handshaken = true;
        chunkBody = ChunkBody.of(ctx.channel());
        peerMaxFrameBytes = hello.maxFrameBytes();
        long fitsInPeerFrame = (long) hello.maxFrameBytes() + FrameDescriptor.LENGTH_FIELD_BYTES
                - FrameDescriptor.CHUNK_OVERHEAD_BYTES;
        maxChunkBytes = (int) Math.max(1, Math.min(Math.min(chunkBody.maxChunkBytes(config.maxChunkBytes()),
                hello.maxChunkBytes()), fitsInPeerFrame));
        reply(ctx, new Hello(hello.requestId(), FrameDescriptor.VERSION, config.maxFrameBytes(), maxChunkBytes));
    }

    /** The client's IP address; loopback for a channel that has none (an EmbeddedChannel in a handler test). */
    private static InetAddress remoteAddress(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress()
                : InetAddress.getLoopbackAddress();
    }

    private void read(ChannelHandlerContext ctx, ReadRequest r) {
        int transfer = access == null ? 0
                : readTransfers(ctx).requested(r.name(), r.offsetBytes(), r.lengthBytes());
        whenSlotFree(ctx, r, () -> startRead(ctx, r, transfer));
    }

    private ReadTransfers readTransfers(ChannelHandlerContext ctx) {
        if (readTransfers == null) {
            readTransfers = new ReadTransfers(ctx.channel().remoteAddress());
        }
        return readTransfers;
    }

    /** @param transfer the READ's tag from {@link #readTransfers}, given back with its answer */
    private void startRead(ChannelHandlerContext ctx, ReadRequest r, int transfer) {
        long startNanos = requestStartNanos;
        startFileOp(ctx);
        submit(ctx, r, () -> {
            Object reply;
            try {
                OpenChunk chunk = server.files().open(r.name(), r.offsetBytes(), r.lengthBytes(), maxChunkBytes);
                // Under TLS the bytes are copied here, off the event loop; in the clear this makes the region.
                reply = new ReadyChunk(chunk, chunkBody.take(chunk.file(), chunk.offsetBytes(), chunk.countBytes(),
                        ctx.alloc()));
            } catch (Failure e) {
                reply = e.toReply(r.requestId());
            } catch (IOException e) {
                reply = new ErrorReply(r.requestId(), ErrorCode.IO_ERROR, "reading the file failed: "
                        + e.getMessage());
            } catch (RuntimeException e) {
                log.warn("read of '{}' failed", WireText.printable(r.name(), LOGGED_WIRE_CHARS), e);
                reply = new ErrorReply(r.requestId(), ErrorCode.INTERNAL, "read failed: " + e);
            }
            Object result = reply;
            answered(r, result, startNanos);
            onLoop(ctx, result, () -> {
                if (result instanceof ReadyChunk chunk) {
                    writeChunk(ctx, r, chunk, transfer);
                } else {
                    if (readTransfers != null) {
                        readTransfers.failed(transfer, ((ErrorReply) result).code());
                    }
                    writeBatch(ctx);
                    ctx.writeAndFlush(result).addListener(f -> endFileOp(ctx));
                }
            });
        });
    }

    /** A chunk opened for a READ and its body ({@link ChunkBody}: a region, or the bytes copied under TLS). */
    private record ReadyChunk(OpenChunk chunk, Object body) {
    }

    /**
     * The header and the file bytes go out together, in one event-loop task, so no other reply can split them. The
     * region takes over the chunk's reference to the shared file and releases it once sent or failed.
     */
    private void writeChunk(ChannelHandlerContext ctx, ReadRequest r, ReadyChunk ready, int transfer) {
        writeBatch(ctx);
        OpenChunk chunk = ready.chunk();
        if (readTransfers != null) {
            readTransfers.sent(transfer, chunk.file().version(), chunk.countBytes(), chunk.last());
        }
        ByteBuf header = ctx.alloc().ioBuffer(FrameDescriptor.CHUNK_OVERHEAD_BYTES);
        MessageWriter.writeChunkHeader(r.requestId(), chunk.offsetBytes(), chunk.countBytes(), chunk.last(), false,
                true, chunk.crc32c(), header);
        if (metrics != null) {
            metrics.fileSent(Port.COURIER, chunk.countBytes());
            if (r.refetch()) {
                metrics.refetched(chunk.countBytes());
            }
        }
        ctx.write(header);
        ctx.writeAndFlush(ready.body())
                .addListener(f -> {
                    if (!f.isSuccess() && ctx.channel().isActive()) {
                        // The frame is cut short (the file shrank under sendfile, or the socket failed): the
                        // framing on this connection can no longer be trusted.
                        log.info("sending a chunk to {} failed; closing: {}", ctx.channel().remoteAddress(),
                                f.cause().toString());
                        ctx.close();
                    }
                    endFileOp(ctx);
                });
    }

    /**
     * DIGEST: the name is resolved off the event loop, the file hashed on the digest pool, and the reply written
     * when the hash is done; no thread waits for it meanwhile.
     */
    private void digest(ChannelHandlerContext ctx, DigestRequest r) {
        long startNanos = requestStartNanos;
        whenSlotFree(ctx, r, () -> {
            startFileOp(ctx);
            submit(ctx, r, () -> {
                CompletableFuture<FileService.Digest> digest;
                try {
                    digest = server.files().digest(r.name(), r.recompute());
                } catch (RuntimeException e) {
                    digest = CompletableFuture.failedFuture(e);
                }
                digest.whenComplete((d, error) -> {
                    Message reply = d != null
                            ? new DigestReply(r.requestId(), d.sizeBytes(), d.modifiedMillis(), d.sha256())
                            : failureReply(r, error);
                    answered(r, reply, startNanos);
                    onLoop(ctx, reply, () -> {
                        writeBatch(ctx);
                        ctx.writeAndFlush(reply).addListener(f -> endFileOp(ctx));
                    });
                });
            });
        });
    }

    private static ErrorReply failureReply(Message request, Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (e instanceof Failure f) {
            return f.toReply(request.requestId());
        }
        log.warn("{} failed", request.getClass().getSimpleName(), e);
        return new ErrorReply(request.requestId(), ErrorCode.INTERNAL, "request failed: " + e);
    }

    /** Runs blocking work for {@code request} off the event loop and writes its reply (or typed error) back. */
    private <R extends Message> void offload(ChannelHandlerContext ctx, R request, Function<R, Message> work) {
        long startNanos = requestStartNanos;
        whenSlotFree(ctx, request, () -> startOffload(ctx, request, work, startNanos));
    }

    private <R extends Message> void startOffload(ChannelHandlerContext ctx, R request, Function<R, Message> work,
                                                  long startNanos) {
        startFileOp(ctx);
        submit(ctx, request, () -> {
            Message reply;
            try {
                reply = work.apply(request);
            } catch (Failure e) {
                reply = e.toReply(request.requestId());
            } catch (RuntimeException e) {
                log.warn("{} failed", request.getClass().getSimpleName(), e);
                reply = new ErrorReply(request.requestId(), ErrorCode.INTERNAL, "request failed: " + e);
            }
            Message result = reply;
            answered(request, result, startNanos);
            onLoop(ctx, result, () -> {
                writeBatch(ctx);
                ctx.writeAndFlush(result).addListener(f -> endFileOp(ctx));
            });
        });
    }

    private void submit(ChannelHandlerContext ctx, Message request, Runnable task) {
        try {
            server.blocking().execute(task);
        } catch (RejectedExecutionException e) {
            request.release();
            endFileOp(ctx);
            fatal(ctx, new ProtocolException(ErrorCode.SHUTTING_DOWN, 0, "the server is shutting down"));
        }
    }

    private static void onLoop(ChannelHandlerContext ctx, Object result, Runnable task) {
        try {
            ctx.executor().execute(task);
        } catch (RejectedExecutionException e) {
            if (result instanceof ReadyChunk chunk) {
                ReferenceCountUtil.release(chunk.body());
            }
        }
    }

    /**
     * Starts a file or upload request now if fewer than {@code maxFileOpsInFlight} are started, or queues it until
     * one ends: requests decoded from one read are not all started at once, so a connection never holds more than
     * that many files, whatever it pipelines.
     */
    private void whenSlotFree(ChannelHandlerContext ctx, Message request, Runnable start) {
        if (fileOpsInFlight < server.config().maxRequestsInFlight() && noneWaiting()) {
            start.run();
        } else {
            if (waitingFileOps == null) {
                waitingFileOps = new ArrayDeque<>();
            }
            waitingFileOps.add(new WaitingFileOp(request, start));
            updateAutoRead(ctx);
        }
    }

    /** Starts waiting requests while slots are free; drops them once the connection is going away. */
    private void startWaitingFileOps(ChannelHandlerContext ctx) {
        while (!noneWaiting() && fileOpsInFlight < server.config().maxRequestsInFlight()) {
            WaitingFileOp next = waitingFileOps.poll();
            if (closing || !ctx.channel().isActive() || server.blocking().isShutdown()) {
                next.request().release();
                waitingFileOps.forEach(w -> w.request().release());
                waitingFileOps.clear();
                return;
            }
            next.start().run();
        }
    }

    private boolean noneWaiting() {
        return waitingFileOps == null || waitingFileOps.isEmpty();
    }

    /** A request that waits for a file-op slot, and what starts it. */
    private record WaitingFileOp(Message request, Runnable start) {
    }

    private void startFileOp(ChannelHandlerContext ctx) {
        fileOpsInFlight++;
        server.drain().begin();
        server.drain().connectionInFlight(fileOpsInFlight);
        updateAutoRead(ctx);
    }

    private void endFileOp(ChannelHandlerContext ctx) {
        fileOpsInFlight--;
        // Before this one leaves the drain, so a graceful shutdown never sees a gap while requests still wait.
        startWaitingFileOps(ctx);
        server.drain().end();
        updateAutoRead(ctx);
        closeIfInputDone(ctx);
    }

    /** After the client shut its output down: closes once nothing is in flight, no stream open. */
    private void closeIfInputDone(ChannelHandlerContext ctx) {
        if (inputClosed && fileOpsInFlight == 0 && (streams == null || streams.isEmpty())) {
            ctx.flush();
            ctx.close();
        }
    }

    private void updateAutoRead(ChannelHandlerContext ctx) {
        boolean read = !closing && ctx.channel().isWritable()
                && fileOpsInFlight < server.config().maxRequestsInFlight() && noneWaiting();
        if (ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        updateAutoRead(ctx);
        if (streams != null && ctx.channel().isWritable() && !closing) {
            streams.pump();
        }
        if (subscriptions != null && ctx.channel().isWritable() && !closing) {
            subscriptions.pump();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        writeBatch(ctx);
        ctx.flush();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (!uploadsTakenPart.isEmpty()) {
            uploadsTakenPart.forEach(server.uploads().orElseThrow().transfers()::left);
            uploadsTakenPart.clear();
        }
        if (gate != null) {
            gate.close();
        }
        if (streams != null) {
            streams.closeAll();
        }
        if (readTransfers != null) {
            readTransfers.closed();
        }
        if (subscriptions != null) {
            subscriptions.closeAll();
        }
        if (batch != null) {
            batch.release();
            batch = null;
        }
        if (waitingFileOps != null) {
            // Requests that never got a slot (an UPLOAD_WRITE holds its data).
            waitingFileOps.forEach(w -> w.request().release());
            waitingFileOps.clear();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            // The client finished sending; answer what is in flight, then close.
            inputClosed = true;
            if (fileOpsInFlight == 0 && (streams == null || streams.isEmpty())) {
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        } else if (evt == Keepalive.IDLE_TIMEOUT) {
            fatal(ctx, new ProtocolException(ErrorCode.IDLE_TIMEOUT, 0,
                    "nothing heard from the client within " + server.config().idleTimeoutMillis() + " ms"));
        } else if (evt == Keepalive.WRITE_TIMEOUT) {
            writeTimedOut(ctx);
        }
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * The client took none of the bytes waiting for it within the write timeout: close at once, without an ERROR,
     * which would only queue behind the bytes that are not moving. Closing frees the socket and the open files of
     * the chunks still waiting; the reset also frees the kernel's send buffer now, instead of when the kernel gives
     * up on an orphaned socket minutes later (nginx's {@code reset_timedout_connection}).
     */
    private void writeTimedOut(ChannelHandlerContext ctx) {
        if (closing) {
            return;
        }
        closing = true;
        if (access != null) {
            access.closing(ErrorCode.WRITE_TIMEOUT.name());
        }
        log.warn("closing {}: {}: the client read nothing of the {} bytes waiting for it within {} ms",
                ctx.channel().remoteAddress(), ErrorCode.WRITE_TIMEOUT,
                Keepalive.pendingWriteBytes(ctx.channel()), server.config().writeTimeoutMillis());
        abort(ctx);
    }

    /** Closes with a TCP reset: whatever was still to be sent is dropped. */
    private static void abort(ChannelHandlerContext ctx) {
        try {
            ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
        } catch (RuntimeException e) {
            // Already closed, or a transport without the option: a plain close does.
        }
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (c instanceof ProtocolException e) {
            fatal(ctx, e);
        } else if (c instanceof IOException) {
            log.debug("connection {} failed: {}", ctx.channel().remoteAddress(), c.toString());
            if (access != null) {
                access.closing("socket error: " + c.getMessage());
            }
            ctx.close();
        } else {
            log.warn("unexpected failure on {}; closing it", ctx.channel().remoteAddress(), c);
            ctx.close();
        }
    }

    /**
     * Tells the client why and closes: the ERROR goes out after the replies already written, and the connection
     * closes once it is sent, but never later than {@link #FATAL_CLOSE_GRACE_MILLIS}, and at once when the
     * connection is not writable, since the ERROR would wait behind bytes the client is not taking.
     */
    private void fatal(ChannelHandlerContext ctx, ProtocolException e) {
        fatalAfter(ctx, e, 0);
    }

    /**
     * {@link #fatal} after {@code delayMillis}: how a failed authentication is slowed down. Reading stops at once
     * and nothing more is answered meanwhile; the connection holds only its socket while it waits.
     */
    private void fatalAfter(ChannelHandlerContext ctx, ProtocolException e, long delayMillis) {
        if (closing) {
            return;
        }
        closing = true;
        if (access != null) {
            access.closing(e.code().name());
        }
        if (e.code() == ErrorCode.IDLE_TIMEOUT || e.code() == ErrorCode.SHUTTING_DOWN) {
            log.info("closing {}: {} {}", ctx.channel().remoteAddress(), e.code(),
                    WireText.printable(e.getMessage(), LOGGED_WIRE_CHARS));
        } else {
            // Bad input (a broken frame, a failed handshake or token): the operator must be able to see who and why.
            log.warn("closing {}: {} {}", ctx.channel().remoteAddress(), e.code(),
                    WireText.printable(e.getMessage(), LOGGED_WIRE_CHARS));
        }
        if (delayMillis > 0) {
            ctx.channel().config().setAutoRead(false);
            ctx.executor().schedule(() -> sendFatal(ctx, e), delayMillis, TimeUnit.MILLISECONDS);
            return;
        }
        sendFatal(ctx, e);
    }

    private void sendFatal(ChannelHandlerContext ctx, ProtocolException e) {
        if (!ctx.channel().isActive()) {
            return;
        }
        if (streams != null) {
            streams.closeAll(); // no more chunks: the ERROR must not wait behind them
        }
        if (subscriptions != null) {
            subscriptions.closeAll();
        }
        ctx.channel().config().setAutoRead(false);
        if (!ctx.channel().isWritable()) {
            ctx.close();
            return;
        }
        writeBatch(ctx);
        ChannelFuture sent = ctx.writeAndFlush(e.toReply());
        if (sent.isDone()) {
            ctx.close();
            return;
        }
        ScheduledFuture<?> deadline = ctx.executor().schedule((Runnable) ctx::close, FATAL_CLOSE_GRACE_MILLIS,
                TimeUnit.MILLISECONDS);
        sent.addListener(f -> {
            deadline.cancel(false);
            ctx.close();
        });
    }
}
