package dev.courier.client.internal;

import dev.courier.client.CourierException;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.Hello;
import dev.courier.protocol.Message;
import dev.courier.protocol.Ping;
import dev.courier.protocol.Pong;
import dev.courier.protocol.ProtocolException;
import dev.courier.transport.Keepalive;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One connection's client side: sends requests, pairs replies with them by request id, fails them on errors,
 * deadlines and disconnects. Its state is confined to the channel's event loop; {@link #send} may be called from
 * any thread. Writes made within one event-loop turn are flushed together.
 */
public final class ClientHandler extends ChannelInboundHandlerAdapter {
    private final IntObjectMap<Pending> pending = new IntObjectHashMap<>();
    private final CompletableFuture<Hello> handshake = new CompletableFuture<>();
    private final Hello hello;
    private final long requestTimeoutNanos;
    private Channel channel;
    private int nextId = 1;
    private boolean flushScheduled;
    /** Requests made in this event-loop turn, encoded back to back and written as one buffer. */
    private io.netty.buffer.ByteBuf batch;
    private ScheduledFuture<?> sweeper;
    private CourierException closedBecause;

    private record Pending(Class<? extends Message> expected, CompletableFuture<Message> future, long deadlineNanos) {
    }

    public ClientHandler(Hello hello, long requestTimeoutMillis) {
        this.hello = hello;
        this.requestTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(requestTimeoutMillis);
    }

    /** Completes with the server's HELLO once the handshake is done. */
    public CompletableFuture<Hello> handshake() {
        return handshake;
    }

    /**
     * Sends a request built for a fresh request id and completes with its reply, which must be of type
     * {@code expected}. The future completes on the event loop: callbacks must not block.
     */
    public <T extends Message> CompletableFuture<T> send(RequestFactory factory, Class<T> expected) {
        CompletableFuture<Message> f = new CompletableFuture<>();
        if (channel.eventLoop().inEventLoop()) {
            doSend(factory, expected, f);
        } else {
            channel.eventLoop().execute(() -> doSend(factory, expected, f));
        }
        @SuppressWarnings("unchecked")
        CompletableFuture<T> typed = (CompletableFuture<T>) (CompletableFuture<?>) f;
        return typed;
    }

    /** Builds a request around the id it is given. */
    @FunctionalInterface
    public interface RequestFactory {
        Message create(int requestId);
    }

    private void doSend(RequestFactory factory, Class<? extends Message> expected, CompletableFuture<Message> f) {
        int id = nextId;
        nextId = nextId == Integer.MAX_VALUE ? 1 : nextId + 1;
        Message request = factory.create(id);
        if (closedBecause != null) {
            request.release();
            f.completeExceptionally(closedBecause);
            return;
        }
        if (request instanceof dev.courier.protocol.UploadWrite) {
            // Bulk data goes through the encoder, which sends it without copying.
            writeBatch();
            channel.write(request, channel.voidPromise());
        } else {
            if (batch == null) {
                batch = channel.alloc().ioBuffer(1024);
            }
            int mark = batch.writerIndex();
            try {
                dev.courier.protocol.MessageCodec.encode(request, batch);
            } catch (RuntimeException e) {
                batch.writerIndex(mark); // no half frame on the wire
                f.completeExceptionally(new CourierException(ErrorCode.MALFORMED_REQUEST,
                        "cannot send " + request.getClass().getSimpleName() + ": " + e.getMessage(), e));
                return;
            }
        }
        pending.put(id, new Pending(expected, f, System.nanoTime() + requestTimeoutNanos));
        if (!flushScheduled) {
            flushScheduled = true;
            channel.eventLoop().execute(this::flushNow);
        }
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
        if (pending.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        List<Integer> late = new ArrayList<>();
        for (IntObjectMap.PrimitiveEntry<Pending> e : pending.entries()) {
            if (now - e.value().deadlineNanos() > 0) {
                late.add(e.key());
            }
        }
        for (int id : late) {
            Pending p = pending.remove(id);
            p.future().completeExceptionally(new CourierException(ErrorCode.TIMED_OUT,
                    "no reply from the server within " + TimeUnit.NANOSECONDS.toMillis(requestTimeoutNanos) + " ms"));
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ProtocolException e) {
            // The server sent a reply whose payload does not parse: that request fails.
            fail(e.requestId(), new CourierException(e.code(), e.getMessage()));
            return;
        }
        Message m = (Message) msg;
        if (!handshake.isDone()) {
            if (m instanceof Hello h) {
                handshake.complete(h);
            } else if (m instanceof ErrorReply e) {
                handshake.completeExceptionally(new CourierException(e.code(), e.message()));
                ctx.close();
            } else {
                m.release();
                handshake.completeExceptionally(new CourierException(ErrorCode.MALFORMED_FRAME,
                        "the server did not answer the handshake with HELLO"));
                ctx.close();
            }
            return;
        }
        if (m instanceof Ping p) {
            ctx.writeAndFlush(new Pong(p.requestId(), p.token()));
            return;
        }
        if (m instanceof ErrorReply e) {
            if (e.requestId() == 0 || e.code().fatal()) {
                closedBecause = new CourierException(e.code(), e.message());
            }
            if (e.requestId() != 0) {
                fail(e.requestId(), new CourierException(e.code(), e.message()));
            }
            return;
        }
        Pending p = pending.remove(m.requestId());
        if (p == null || !p.expected().isInstance(m)) {
            m.release();
            if (p != null) {
                p.future().completeExceptionally(new CourierException(ErrorCode.MALFORMED_FRAME,
                        "expected " + p.expected().getSimpleName() + ", got " + m.getClass().getSimpleName()));
            }
            // A reply to nothing we asked (or expired): the request is already failed or timed out. Drop it.
            return;
        }
        if (!p.future().complete(m)) {
            m.release();
        }
    }

    private void fail(int requestId, CourierException e) {
        Pending p = pending.remove(requestId);
        if (p != null) {
            p.future().completeExceptionally(e);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == Keepalive.IDLE_TIMEOUT) {
            closedBecause = new CourierException(ErrorCode.IDLE_TIMEOUT,
                    "the server went silent (no reply to keepalive pings); the connection is presumed dead");
            ctx.close();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (c instanceof ProtocolException e) {
            closedBecause = new CourierException(e.code(), "bad frame from the server: " + e.getMessage());
        } else if (c instanceof IOException) {
            closedBecause = new CourierException(ErrorCode.CONNECTION_CLOSED, "connection lost: " + c.getMessage(), c);
        } else {
            closedBecause = new CourierException(ErrorCode.INTERNAL, c.toString(), c);
        }
        ctx.close();
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
            p.future().completeExceptionally(e);
        }
        pending.clear();
        ctx.fireChannelInactive();
    }
}
