package dev.courier.client.internal;

import dev.courier.client.CourierException;
import dev.courier.protocol.CancelStream;
import dev.courier.protocol.AppendAck;
import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.DigestReply;
import dev.courier.protocol.EnvelopeReply;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Hello;
import dev.courier.protocol.ListReply;
import dev.courier.protocol.Message;
import dev.courier.protocol.MessageWriter;
import dev.courier.protocol.OpensStream;
import dev.courier.protocol.Ping;
import dev.courier.protocol.PointBatchReply;
import dev.courier.protocol.PointReply;
import dev.courier.protocol.Pong;
import dev.courier.protocol.ProtocolException;
import dev.courier.protocol.RecordsReply;
import dev.courier.protocol.Reply;
import dev.courier.protocol.Request;
import dev.courier.protocol.StatReply;
import dev.courier.protocol.UploadAck;
import dev.courier.protocol.UploadDone;
import dev.courier.protocol.UploadReady;
import dev.courier.protocol.UploadWrite;
import dev.courier.protocol.WindowUpdate;
import dev.courier.transport.Keepalive;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * One connection's client side: sends requests, pairs replies with them by request id, fails them on errors,
 * deadlines and disconnects. Its state is confined to the channel's event loop; {@link #send} may be called from
 * any thread. Writes made within one event-loop turn are flushed together.
 *
 * <p>It believes nothing the server sends without checking it. The server's HELLO must announce limits the client
 * can work with ({@link ReplyRules#hello}); a reply must be of the type its request expects and keep that
 * request's {@link ReplyCheck}. A reply that breaks a rule, or does not parse, fails with {@code BAD_REPLY} and
 * closes the connection. Frames nobody asked for are budgeted: a reply to a request that timed out is expected
 * and dropped, but only {@link #STRAY_REPLIES_ALLOWED} replies to ids that are not waiting are, and PINGs, PONGs
 * and ERRORs about the whole connection share a token bucket of {@link #UNSOLICITED_BURST_FRAMES} frames refilled
 * at {@link #UNSOLICITED_FRAMES_PER_SECOND}; past either, the connection is closed with {@code BAD_REPLY}. PINGs
 * are answered only while the channel is writable, so a server that floods PINGs and reads nothing cannot make the
 * client pile up PONGs.
 */
public final class ClientHandler extends ChannelInboundHandlerAdapter {
    /**
     * Replies to request ids that are neither waiting nor timed out (never sent, or answered already) that one
     * connection may receive; the next one closes it. A correct server sends none.
     */
    public static final int STRAY_REPLIES_ALLOWED = 16;
    /**
     * Unsolicited frames (PING, PONG with id 0, ERROR with id 0) one connection may receive at once. A correct
     * server sends a PING per ping interval of quiet (30 s by default, never less than 10 ms apart).
     */
    public static final int UNSOLICITED_BURST_FRAMES = 1000;
    /** Unsolicited frames per second one connection may receive on average, past the burst. */
    public static final int UNSOLICITED_FRAMES_PER_SECOND = 100;
    /** Ids of timed-out requests one connection remembers, so that their late replies are known for what they are. */
    public static final int EXPIRED_IDS_REMEMBERED = 4096;

    private final IntObjectMap<Pending> pending = new IntObjectHashMap<>();
    /** Open READ_STREAMs by request id: each is answered by many CHUNKs, until END or ERROR. */
    private final IntObjectMap<ClientStream> streams = new IntObjectHashMap<>();
    private final IntObjectMap<Boolean> expired = new IntObjectHashMap<>();
    private final CompletableFuture<Hello> handshake = new CompletableFuture<>();
    /** Drawn by the callers of {@link #send}, on any thread; never 0, which names the whole connection. */
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final Hello hello;
    private final long requestTimeoutNanos;
    private Channel channel;
    private boolean flushScheduled;
    /** Requests made in this event-loop turn, encoded back to back and written as one buffer. */
    private ByteBuf batch;
    private ScheduledFuture<?> sweeper;
    private CourierException closedBecause;
    private FrameBudget unsolicited;
    private int strayReplies;
    /**
     * This side is closing the connection for a reason of its own (a broken rule, the idle timeout): the rest of the
     * read batch is dropped, and the failures of writes still queued do not replace that reason.
     */
    private boolean closing;
    private boolean pongsToFlush;

    /**
     * A request waiting for its reply, and the future its caller holds: one object, since a connection may have a
     * million of these a second.
     */
    private static final class Pending extends CompletableFuture<Object> {
        private final Class<? extends Reply> expected;
        private final ReplyCheck<Reply> check;
        private final Function<Reply, Object> convert;
        /** Set on the event loop when the request is written. */
        private long deadlineNanos;

        Pending(Class<? extends Reply> expected, ReplyCheck<Reply> check, Function<Reply, Object> convert) {
            this.expected = expected;
            this.check = check;
            this.convert = convert;
        }

        Class<? extends Reply> expected() {
            return expected;
        }

        ReplyCheck<Reply> check() {
            return check;
        }

        /** The caller's value made of {@code reply}. */
        Object convert(Reply reply) {
            return convert.apply(reply);
        }
    }

    /**
     * What a reply must be, beyond its type, to answer one request: for example a CHUNK with the offset its READ
     * asked for. Runs on the event loop.
     */
    @FunctionalInterface
    public interface ReplyCheck<T extends Reply> {
        /** @return null when {@code reply} keeps the rules; otherwise the rule it broke, for a person */
        String problem(T reply);

        /** The check of a reply that has no rules beyond its type. */
        @SuppressWarnings("unchecked")
        static <T extends Reply> ReplyCheck<T> none() {
            return (ReplyCheck<T>) NONE;
        }
    }

    private static final ReplyCheck<Reply> NONE = reply -> null;

    public ClientHandler(Hello hello, long requestTimeoutMillis) {
        this.hello = hello;
        this.requestTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(requestTimeoutMillis);
    }

    /** Completes with the server's HELLO once the handshake is done. */
    public CompletableFuture<Hello> handshake() {
        return handshake;
    }

    /**
     * A fresh request id for the next request to {@link #send}. Thread-safe. The caller builds the request around it
     * (rather than handing over a function that does), so a request costs no object beyond itself.
     */
    public int nextRequestId() {
        return nextId.getAndUpdate(ClientHandler::following);
    }

    private static int following(int id) {
        return id == Integer.MAX_VALUE ? 1 : id + 1;
    }

    /**
     * Sends {@code request}, which carries an id from {@link #nextRequestId()}, and completes with its reply: of type
     * {@code expected}, passing {@code check} (a reply that does not fails with {@code BAD_REPLY} and closes the
     * connection), and turned by {@code convert} into what the caller gets. The conversion runs here, on the event
     * loop as the reply arrives, so it costs no stage of its own. May be called from any thread; the future
     * completes on the event loop, so callbacks must not block.
     */
    public <R extends Reply, T> CompletableFuture<T> send(Request request, Class<R> expected,
                                                            ReplyCheck<? super R> check,
                                                            Function<? super R, ? extends T> convert) {
        // Both are only ever called on an instance of expected.
        @SuppressWarnings("unchecked")
        ReplyCheck<Reply> anyCheck = (ReplyCheck<Reply>) check;
        @SuppressWarnings("unchecked")
        Function<Reply, Object> anyConvert = (Function<Reply, Object>) convert;
        Pending f = new Pending(expected, anyCheck, anyConvert);
        if (channel.eventLoop().inEventLoop()) {
            doSend(request, f);
        } else {
            channel.eventLoop().execute(() -> doSend(request, f));
        }
        @SuppressWarnings("unchecked")
        CompletableFuture<T> typed = (CompletableFuture<T>) (CompletableFuture<?>) f;
        return typed;
    }

    /**
     * Opens {@code request}'s stream, which carries an id from {@link #nextRequestId()}: its CHUNKs go to
     * {@code listener} on the event loop, each checked against the stream's rules ({@link ClientStream}), until END
     * or ERROR. A server that breaks a rule gets BAD_REPLY and the connection is closed; one silent for the request
     * timeout while it has credit fails the stream with TIMED_OUT (and is sent CANCEL). May be called from any thread.
     */
    public StreamHandle openStream(OpensStream request, StreamListener listener) {
        int id = request.requestId();
        onLoop(() -> {
            if (closedBecause != null) {
                listener.failed(closedBecause);
                return;
            }
            if (!enqueue(request)) {
                listener.failed(new CourierException(ErrorCode.MALFORMED_REQUEST, "cannot send "
                        + request.getClass().getSimpleName()));
                return;
            }
            expired.remove(id);
            streams.put(id, new ClientStream(id, listener, request.offsetBytes(), request.lengthBytes(),
                    request.windowBytes(), request.chunkBytes(), request.sizeBytes(), request.shortChunks(),
                    request.scaledRowValues(), System.nanoTime()));
        });
        return new StreamHandle() {
            @Override
            public void consumed(int bytes) {
                onLoop(() -> {
                    ClientStream s = streams.get(id);
                    int increment = s == null ? 0 : s.consumed(bytes);
                    if (increment > 0) {
                        enqueue(new WindowUpdate(id, increment));
                    }
                });
            }

            @Override
            public void cancel() {
                onLoop(() -> {
                    ClientStream s = streams.get(id);
                    if (s != null && closedBecause == null) {
                        s.cancel();
                        enqueue(new CancelStream(id));
                    }
                });
            }
        };
    }

    private void onLoop(Runnable task) {
        if (channel.eventLoop().inEventLoop()) {
            task.run();
        } else {
            channel.eventLoop().execute(task);
        }
    }

    /** Encodes a small request into this turn's batch and schedules the flush; false when it cannot be encoded. */
    private boolean enqueue(Request request) {
        if (encode(request) != null) {
            return false;
        }
        scheduleFlush();
        return true;
    }

    /** Encodes a small request into this turn's batch; returns why it could not, or null. */
    private RuntimeException encode(Request request) {
        if (batch == null) {
            batch = channel.alloc().ioBuffer(1024);
        }
        int mark = batch.writerIndex();
        try {
            MessageWriter.write(request, batch);
            return null;
        } catch (RuntimeException e) {
            batch.writerIndex(mark); // no half frame on the wire
            return e;
        }
    }

    private void scheduleFlush() {
        if (!flushScheduled) {
            flushScheduled = true;
            channel.eventLoop().execute(this::flushNow);
        }
    }

    private void doSend(Request request, Pending f) {
        if (closedBecause != null) {
            request.release();
            f.completeExceptionally(closedBecause);
            return;
        }
        if (request instanceof UploadWrite) {
            // Bulk data goes through the encoder, which sends it without copying.
            writeBatch();
            channel.write(request, channel.voidPromise());
        } else {
            RuntimeException e = encode(request);
            if (e != null) {
                f.completeExceptionally(new CourierException(ErrorCode.MALFORMED_REQUEST,
                        "cannot send " + request.getClass().getSimpleName() + ": " + e.getMessage(), e));
                return;
            }
        }
        int id = request.requestId();
        expired.remove(id); // the ids wrapped around: a reply to this id is this request's again
        f.deadlineNanos = System.nanoTime() + requestTimeoutNanos;
        pending.put(id, f);
        scheduleFlush();
    }

    private void flushNow() {
        flushScheduled = false;
        writeBatch();
        channel.flush();
    }

    private void writeBatch() {
        if (batch != null) {
            channel.write(batch, channel.voidPromise());
            batch = null;
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        unsolicited = new FrameBudget(UNSOLICITED_BURST_FRAMES, UNSOLICITED_FRAMES_PER_SECOND, System.nanoTime());
        ctx.writeAndFlush(hello);
        long periodNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(10), requestTimeoutNanos / 4);
        sweeper = ctx.executor().scheduleAtFixedRate(this::expire, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    private void expire() {
        long now = System.nanoTime();
        if (!streams.isEmpty()) {
            expireStreams(now);
        }
        if (pending.isEmpty()) {
            return;
        }
        List<Integer> late = new ArrayList<>();
        for (IntObjectMap.PrimitiveEntry<Pending> e : pending.entries()) {
            if (now - e.value().deadlineNanos > 0) {
                late.add(e.key());
            }
        }
        for (int id : late) {
            Pending p = pending.remove(id);
            if (expired.size() < EXPIRED_IDS_REMEMBERED) {
                expired.put(id, Boolean.TRUE);
            }
            p.completeExceptionally(new CourierException(ErrorCode.TIMED_OUT,
                    "no reply from the server within " + TimeUnit.NANOSECONDS.toMillis(requestTimeoutNanos) + " ms"));
        }
    }

    /** Fails the streams whose server went silent while it had credit, and tells the server to stop them. */
    private void expireStreams(long now) {
        List<ClientStream> silent = new ArrayList<>();
        for (ClientStream s : streams.values()) {
            if (s.silentPast(requestTimeoutNanos, now)) {
                silent.add(s);
            }
        }
        for (ClientStream s : silent) {
            streams.remove(s.id());
            if (expired.size() < EXPIRED_IDS_REMEMBERED) {
                expired.put(s.id(), Boolean.TRUE); // its late chunks are dropped without counting as strays
            }
            enqueue(new CancelStream(s.id()));
            s.fail(new CourierException(ErrorCode.TIMED_OUT, "stream " + Integer.toUnsignedString(s.id())
                    + ": nothing from the server for " + TimeUnit.NANOSECONDS.toMillis(requestTimeoutNanos)
                    + " ms while it had credit, after " + s.nextOffsetBytes()));
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            if (msg instanceof Message m) {
                m.release();
            }
            return;
        }
        if (msg instanceof ProtocolException e) {
            // A frame of a known type whose payload does not parse: the server does not keep the format.
            refuse(ctx, pending.remove(e.requestId()), (handshake.isDone() ? "a frame for request "
                    + Integer.toUnsignedString(e.requestId()) : "the answer to HELLO") + " does not parse ("
                    + e.getMessage() + ")");
            return;
        }
        // The frame decoder reads replies only: a request type sent by the server is refused there, as UNKNOWN_TYPE.
        Reply m = (Reply) msg;
        if (!handshake.isDone()) {
            handshakeReply(ctx, m);
            return;
        }
        switch (m) {
            case Ping p -> {
                if (spendUnsolicited(ctx, "PING") && ctx.channel().isWritable()) {
                    // Not writable: the server is not reading what it is sent, and a PONG more would only pile up.
                    ctx.write(new Pong(p.requestId(), p.token()), ctx.voidPromise());
                    pongsToFlush = true;
                }
            }
            case Pong p when p.requestId() == 0 -> spendUnsolicited(ctx, "PONG"); // the answer to a keepalive PING
            case ErrorReply e -> error(ctx, e);
            case ChunkReply c when streams.containsKey(c.requestId()) -> streamChunk(ctx, c);
            case Hello _, Pong _, PointReply _, PointBatchReply _, ListReply _, StatReply _, ChunkReply _,
                 DigestReply _, UploadReady _, UploadAck _, UploadDone _, RecordsReply _, EnvelopeReply _,
                 AppendAck _ -> reply(ctx, m);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (pongsToFlush) {
            pongsToFlush = false;
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    private void handshakeReply(ChannelHandlerContext ctx, Reply m) {
        switch (m) {
            case Hello h -> {
                if (h.version() != FrameDescriptor.VERSION) {
                    failHandshake(ctx, new CourierException(ErrorCode.UNSUPPORTED_VERSION, "the server speaks "
                            + "protocol version " + h.version() + "; this client speaks " + FrameDescriptor.VERSION));
                    return;
                }
                String problem = ReplyRules.hello(h, hello);
                if (problem != null) {
                    refuse(ctx, null, problem);
                } else {
                    handshake.complete(h);
                }
            }
            case ErrorReply e -> failHandshake(ctx, ServerErrors.of(e));
            case Ping _, Pong _, PointReply _, PointBatchReply _, ListReply _, StatReply _, ChunkReply _, DigestReply _,
                 UploadReady _, UploadAck _, UploadDone _, RecordsReply _, EnvelopeReply _, AppendAck _ -> {
                m.release();
                refuse(ctx, null, "the server answered the handshake with " + m.getClass().getSimpleName()
                        + ", not HELLO");
            }
        }
    }

    private void failHandshake(ChannelHandlerContext ctx, CourierException e) {
        closing = true;
        closedBecause = e;
        handshake.completeExceptionally(e);
        ctx.close();
    }

    private void error(ChannelHandlerContext ctx, ErrorReply e) {
        if (e.requestId() == 0) {
            closedBecause = ServerErrors.of(e);
            spendUnsolicited(ctx, "ERROR");
            return;
        }
        CourierException failure = ServerErrors.of(e);
        if (e.code().fatal()) {
            closedBecause = failure;
        }
        ClientStream s = streams.remove(e.requestId());
        if (s != null) {
            s.fail(failure);
            return;
        }
        Pending p = pending.remove(e.requestId());
        if (p != null) {
            p.completeExceptionally(failure);
        } else {
            stray(ctx, e);
        }
    }

    /** A CHUNK of an open stream: checked against it, then handed to its listener; END closes the stream. */
    private void streamChunk(ChannelHandlerContext ctx, ChunkReply c) {
        ClientStream s = streams.get(c.requestId());
        String problem = s.accept(c, System.nanoTime());
        if (problem != null) {
            c.release();
            streams.remove(c.requestId());
            s.fail(refuse(ctx, null, problem)); // the other streams fail with the connection, in channelInactive
            return;
        }
        if (c.end()) {
            streams.remove(c.requestId());
        }
        if (c.data().isReadable()) {
            s.listener().chunk(c);
        } else {
            c.release();
        }
        if (c.end()) {
            s.listener().ended(s.nextOffsetBytes());
        }
    }

    private void reply(ChannelHandlerContext ctx, Reply m) {
        Pending p = pending.remove(m.requestId());
        if (p == null) {
            m.release();
            stray(ctx, m);
            return;
        }
        String problem = p.expected().isInstance(m) ? p.check().problem(m)
                : "a " + m.getClass().getSimpleName() + " answers request " + m.requestId() + ", which expects a "
                        + p.expected().getSimpleName();
        if (problem != null) {
            m.release();
            refuse(ctx, p, problem);
        } else if (!p.complete(p.convert(m))) {
            m.release();
        }
    }

    /** A reply to an id that is not waiting: expected once for a request that timed out, a fault otherwise. */
    private void stray(ChannelHandlerContext ctx, Reply m) {
        if (expired.remove(m.requestId()) != null) {
            return; // the late reply of a request that timed out
        }
        strayReplies++;
        if (strayReplies > STRAY_REPLIES_ALLOWED) {
            refuse(ctx, null, strayReplies + " replies to requests this connection did not send or had answered "
                    + "already (the last a " + m.getClass().getSimpleName() + " for request "
                    + Integer.toUnsignedString(m.requestId()) + ")");
        }
    }

    /** Spends one unsolicited frame from the budget; past it, closes the connection. */
    private boolean spendUnsolicited(ChannelHandlerContext ctx, String frame) {
        if (unsolicited.take(System.nanoTime())) {
            return true;
        }
        refuse(ctx, null, "a flood of unsolicited frames (the last a " + frame + "): more than "
                + UNSOLICITED_BURST_FRAMES + " at once or " + UNSOLICITED_FRAMES_PER_SECOND + " a second");
        return false;
    }

    /**
     * The server broke a rule: fail {@code p} (when the broken reply answered one) and everything else on this
     * connection with BAD_REPLY, and close it. Nothing more the server sends on it is read.
     *
     * @return the failure
     */
    private CourierException refuse(ChannelHandlerContext ctx, Pending p, String problem) {
        CourierException e = new CourierException(ErrorCode.BAD_REPLY,
                "bad reply from the server: " + problem + "; the connection is closed");
        closing = true;
        closedBecause = e;
        ctx.close(); // first, so that whoever sees the failure finds the connection closed
        handshake.completeExceptionally(e);
        if (p != null) {
            p.completeExceptionally(e);
        }
        return e;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent done && !done.isSuccess() && closedBecause == null) {
            // A failed handshake that no read reported (its timeout, for one): say it was TLS.
            CourierException tls = TlsFailures.of(done.cause(), ctx.channel().remoteAddress());
            closedBecause = tls != null ? tls : new CourierException(ErrorCode.TLS_FAILED, "the TLS handshake with "
                    + ctx.channel().remoteAddress() + " failed: " + done.cause().getMessage(), done.cause());
        }
        if (evt == Keepalive.IDLE_TIMEOUT) {
            closedBecause = new CourierException(ErrorCode.IDLE_TIMEOUT,
                    "the server went silent (no reply to keepalive pings); the connection is presumed dead");
            closing = true;
            ctx.close();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (closing) {
            return; // a write still queued failed because this side closed: the reason is already known
        }
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        CourierException tls = TlsFailures.of(c, ctx.channel().remoteAddress());
        if (tls != null) {
            closedBecause = tls;
        } else if (c instanceof ProtocolException e && !handshake.isDone()) {
            // The first bytes back were not a Courier frame: an HTTP server, a database, the wrong port.
            closedBecause = new CourierException(ErrorCode.CONNECTION_FAILED, "not a Courier server at "
                    + hostPort(ctx.channel().remoteAddress()) + " (its first bytes are no Courier HELLO: "
                    + e.getMessage() + ")");
        } else if (c instanceof ProtocolException e) {
            closedBecause = new CourierException(e.code(), "bad frame from the server: " + e.getMessage());
        } else if (c instanceof IOException) {
            closedBecause = new CourierException(ErrorCode.CONNECTION_CLOSED, "connection lost: " + c.getMessage(), c);
        } else {
            closedBecause = new CourierException(ErrorCode.INTERNAL, c.toString(), c);
        }
        ctx.close();
    }

    private static String hostPort(SocketAddress address) {
        return address instanceof InetSocketAddress a ? a.getHostString() + ":" + a.getPort() : String.valueOf(address);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (batch != null) {
            batch.release();
            batch = null;
        }
        if (sweeper != null) {
            sweeper.cancel(false);
        }
        CourierException e = closedBecause != null ? closedBecause
                : new CourierException(ErrorCode.CONNECTION_CLOSED, "the server closed the connection");
        closedBecause = e;
        handshake.completeExceptionally(e);
        for (Pending p : pending.values()) {
            p.completeExceptionally(e);
        }
        pending.clear();
        List<ClientStream> open = new ArrayList<>(streams.values());
        streams.clear();
        for (ClientStream s : open) {
            s.fail(e);
        }
        ctx.fireChannelInactive();
    }
}
