package dev.courier.server.legacy;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Failure;
import dev.courier.protocol.WireText;
import dev.courier.server.access.ConnectionRecord;
import dev.courier.transport.Keepalive;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one legacy connection, strictly one request at a time and in order, because the protocol's replies
 * carry nothing that says which request they answer. DATA is a memory lookup answered on the event loop. So is a
 * FILE size query or chunk of up to {@link LegacyFiles#MAX_CACHED_CHUNK_BYTES} of a file already open and unchanged
 * (one {@code lstat} and one positional read, cheaper than two thread hops); any other FILE request may open a file,
 * so it goes to the blocking executor and the requests behind it wait in a queue until its reply is written.
 * Replies are flushed once per read batch, and before each file operation.
 *
 * <p>The queue never holds more than one read's worth of requests: reading stops while it is not empty, while a
 * file operation is in flight, and while the channel is not writable, so a client that does not read its replies
 * only stalls itself. Serving also waits while {@link #MAX_UNSENT_CHUNKS} chunks are still being sent, so one
 * connection holds at most that many files open for its replies, however many FILE requests it pipelines.
 *
 * <p>The protocol has no error reply. A request that cannot be answered (unknown person, channel or time, a
 * missing file or one outside the root, a chunk past the end of the file or over the limit, bytes that are not a
 * request) is logged with the client's address and the request; the replies before it are sent, then the
 * connection is closed.
 *
 * <p>The {@link Keepalive} at the head of the pipeline closes connections that stay silent past the idle timeout,
 * and those whose client takes none of its replies within the write timeout; both close at once, since nothing the
 * server could still send would arrive. Every close the server decides on is logged at WARN with the client's
 * address and the reason (the protocol cannot tell the client why); what came from the wire is escaped and cut
 * short in those lines. Event-loop confined, one instance per channel.
 */
final class LegacyHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(LegacyHandler.class);
    private static final LegacyReply UNKNOWN_TYPE = new LegacyReply.UnknownType();
    /**
     * Chunks that may wait to be sent before the next request is served. A chunk is a file region, which Netty does
     * not count against the channel's writability, so without this a client that pipelines FILE requests and reads
     * nothing would make the server open a file for every one of them. Two keep the socket busy while the next
     * file is opened.
     */
    static final int MAX_UNSENT_CHUNKS = 2;
    /** What a log line keeps of an error message, which may quote a name from the wire, in chars. */
    private static final int LOGGED_MESSAGE_CHARS = 300;

    private final LegacyPoints points;
    private final LegacyFiles files;
    private final Executor blocking;
    private final Keepalive.Timers timers;
    private final ArrayDeque<LegacyRequest> queue = new ArrayDeque<>();
    private boolean fileInFlight;
    /** Chunks written and not yet sent: each holds its file open. */
    private int chunksUnsent;
    private boolean serving;
    private boolean inputClosed;
    private boolean closing;

    /** @param timers the keepalive's settings, for the log lines of the closes it causes */
    LegacyHandler(LegacyPoints points, LegacyFiles files, Executor blocking, Keepalive.Timers timers) {
        this.points = points;
        this.files = files;
        this.blocking = blocking;
        this.timers = timers;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            return;
        }
        queue.add((LegacyRequest) msg);
        serveQueued(ctx);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        serveQueued(ctx);
        ctx.flush();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            // The client has sent its last request: answer what is queued, then close.
            inputClosed = true;
            serveQueued(ctx);
            ctx.flush();
        } else if (evt == Keepalive.IDLE_TIMEOUT) {
            closeNow(ctx, false, "IDLE_TIMEOUT: nothing heard from the client within " + timers.idleTimeoutMillis()
                    + " ms");
        } else if (evt == Keepalive.WRITE_TIMEOUT) {
            // A reset: the replies waiting are dropped and the socket's buffers freed at once.
            closeNow(ctx, true, "WRITE_TIMEOUT: the client read nothing of the "
                    + Keepalive.pendingWriteBytes(ctx.channel()) + " bytes waiting for it within "
                    + timers.writeTimeoutMillis() + " ms");
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** Closes without sending what is still queued; {@code reset} closes with a TCP reset. */
    private void closeNow(ChannelHandlerContext ctx, boolean reset, String reason) {
        if (closing) {
            return;
        }
        closing = true;
        queue.clear();
        log.warn("closing legacy connection {}: {}", ctx.channel().remoteAddress(), reason);
        ConnectionRecord access = ConnectionRecord.of(ctx.pipeline());
        if (access != null) {
            access.closing(reason);
        }
        if (reset) {
            try {
                ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
            } catch (RuntimeException e) {
                // Already closed, or a transport without the option: a plain close does.
            }
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        queue.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("legacy connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            log.warn("unexpected failure on legacy connection {}; closing it", ctx.channel().remoteAddress(), cause);
        }
        closing = true;
        queue.clear();
        ctx.close();
    }

    /**
     * Answers queued requests until one has to wait (a file operation), the channel stops being writable or the
     * queue is empty; then decides whether to read more. Does not flush, except to make room.
     */
    private void serveQueued(ChannelHandlerContext ctx) {
        if (serving) {
            // Re-entered from a writability event raised by our own write or flush; the loop below re-checks.
            return;
        }
        serving = true;
        try {
            while (!closing && !fileInFlight && chunksUnsent < MAX_UNSENT_CHUNKS && !queue.isEmpty()) {
                if (!ctx.channel().isWritable()) {
                    ctx.flush();
                    if (!ctx.channel().isWritable()) {
                        break;
                    }
                }
                serve(ctx, queue.poll());
            }
        } finally {
            serving = false;
        }
        if (closing) {
            return;
        }
        if (inputClosed && !fileInFlight && queue.isEmpty()) {
            closeAfterReplies(ctx);
            return;
        }
        boolean read = !fileInFlight && queue.isEmpty() && ctx.channel().isWritable();
        if (ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
        }
    }

    private void serve(ChannelHandlerContext ctx, LegacyRequest request) {
        switch (request) {
            case LegacyRequest.Data data -> {
                double value;
                try {
                    value = points.value(data);
                } catch (Failure e) {
                    fail(ctx, request, e.code(), e.getMessage());
                    return;
                }
                ctx.write(new LegacyReply.Value(value), ctx.voidPromise());
            }
            case LegacyRequest.File file -> file(ctx, file);
            case LegacyRequest.Quit quit -> {
                log.debug("legacy client {} quit", ctx.channel().remoteAddress());
                closeAfterReplies(ctx);
            }
            case LegacyRequest.Unknown unknown -> {
                log.debug("legacy client {} sent unknown type {}", ctx.channel().remoteAddress(), unknown.type());
                ctx.write(UNKNOWN_TYPE, ctx.voidPromise());
            }
            case LegacyRequest.Malformed malformed ->
                    fail(ctx, request, ErrorCode.MALFORMED_REQUEST, malformed.reason());
        }
    }

    /** A size query or small chunk of a file already open is answered here; anything else on the executor. */
    private void file(ChannelHandlerContext ctx, LegacyRequest.File request) {
        LegacyReply now;
        try {
            now = files.answerCached(request, ctx.alloc());
        } catch (Failure e) {
            fail(ctx, request, e.code(), e.getMessage());
            return;
        }
        if (now == null) {
            startFile(ctx, request);
        } else {
            ctx.write(now, ctx.voidPromise());
        }
    }

    private void startFile(ChannelHandlerContext ctx, LegacyRequest.File request) {
        fileInFlight = true;
        // The replies before this one need not wait for the disk.
        ctx.flush();
        try {
            blocking.execute(() -> {
                LegacyReply reply = null;
                Failure error = null;
                try {
                    reply = files.answer(request);
                } catch (Failure e) {
                    error = e;
                } catch (RuntimeException e) {
                    log.warn("legacy file request {} failed", request, e);
                    error = new Failure(ErrorCode.INTERNAL, "the request failed: " + e);
                }
                LegacyReply r = reply;
                Failure x = error;
                try {
                    ctx.executor().execute(() -> finishFile(ctx, request, r, x));
                } catch (RejectedExecutionException e) {
                    discard(r);
                }
            });
        } catch (RejectedExecutionException e) {
            fileInFlight = false;
            fail(ctx, request, ErrorCode.SHUTTING_DOWN, "the server is shutting down");
        }
    }

    /** On the event loop: writes the file reply in its place, then goes on with the queue. */
    private void finishFile(ChannelHandlerContext ctx, LegacyRequest.File request, LegacyReply reply,
                            Failure error) {
        fileInFlight = false;
        if (closing) {
            discard(reply);
            return;
        }
        if (error != null) {
            fail(ctx, request, error.code(), error.getMessage());
            return;
        }
        if (reply instanceof LegacyReply.Chunk) {
            chunksUnsent++;
            ctx.write(reply).addListener(f -> {
                chunksUnsent--;
                if (!f.isSuccess() && ctx.channel().isActive()) {
                    // Fewer bytes than promised went out: the client can no longer find where replies begin.
                    log.info("sending {} to legacy client {} failed; closing: {}", request,
                            ctx.channel().remoteAddress(), f.cause().toString());
                    ctx.close();
                } else if (f.isSuccess() && !closing) {
                    serveQueued(ctx);
                    ctx.flush();
                }
            });
        } else {
            ctx.write(reply, ctx.voidPromise());
        }
        serveQueued(ctx);
        ctx.flush();
    }

    private void fail(ChannelHandlerContext ctx, LegacyRequest request, ErrorCode code, String message) {
        if (closing) {
            return;
        }
        // WARN whatever the cause: the protocol cannot tell the client why, so the log is the only trace.
        log.warn("closing legacy connection {} after {}: {} {}", ctx.channel().remoteAddress(), request, code,
                WireText.printable(message, LOGGED_MESSAGE_CHARS));
        ConnectionRecord access = ConnectionRecord.of(ctx.pipeline());
        if (access != null) {
            access.closing(code.name());
        }
        closeAfterReplies(ctx);
    }

    /** Sends the replies already written, then closes; nothing more is read or answered. */
    private void closeAfterReplies(ChannelHandlerContext ctx) {
        closing = true;
        queue.clear();
        ctx.channel().config().setAutoRead(false);
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    private static void discard(LegacyReply reply) {
        if (reply instanceof LegacyReply.Chunk chunk) {
            chunk.release();
        }
    }
}
