package dev.courier.server;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.transport.MessageEncoder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps the connections one listener of a server process holds: the main port and the legacy port have one each, so
 * silent legacy clients cannot take the main protocol's places. Every admitted connection is counted until it
 * closes; one over the limit is not left waiting in the kernel's accept queue but accepted, told
 * {@link ErrorCode#TOO_MANY_CONNECTIONS} in an ERROR frame (request id 0) and closed, so its client can retry
 * elsewhere or later at once. On the legacy port, whose protocol has no error reply, it is just closed.
 *
 * <p>A refused connection gets no decoder and no protocol handler: its bytes are discarded unread until the client
 * closes (it does on that error) or {@link #REFUSED_LINGER_MILLIS} pass. Reading them out first lets the close be a
 * FIN rather than an RST, which could destroy the error frame before the client reads it.
 *
 * <p>The count costs nothing per connection: it is kept by the {@link #newGroup channel groups} the server holds its
 * connections in anyway, which count a channel down when they drop it on close. Refusals are logged at WARN with
 * the peer, at most once every 10 s, with the number refused since the last line, so a flood of connections cannot
 * flood the log. Thread-safe: the count is one atomic integer shared by every event loop.
 */
final class ConnectionLimit {
    private static final Logger log = LoggerFactory.getLogger(ConnectionLimit.class);
    /** How long a refused connection is kept open at most, waiting for its client to read the error and close. */
    static final long REFUSED_LINGER_MILLIS = 2_000;

    private final int maxConnections;
    private final String option;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger refusedUnlogged = new AtomicInteger();
    private volatile long lastWarningNanos = System.nanoTime() - TimeUnit.MINUTES.toNanos(1);

    /**
     * @param maxConnections the most connections held at once; 0 for no limit
     * @param option         the option that sets the limit, for the log ({@code --max-connections})
     */
    ConnectionLimit(int maxConnections, String option) {
        this.maxConnections = maxConnections;
        this.option = option;
    }

    /** A channel group whose members count against this limit until they close. */
    ChannelGroup newGroup(String name) {
        return new DefaultChannelGroup(name, GlobalEventExecutor.INSTANCE) {
            @Override
            public boolean remove(Object o) {
                boolean removed = super.remove(o);
                if (removed) {
                    open.decrementAndGet();
                }
                return removed;
            }
        };
    }

    /**
     * Adds {@code ch} to {@code group} (made by {@link #newGroup}), counted until it closes, and returns true; or,
     * when the limit is reached, sets {@code ch} up to be refused and returns false. Call from the channel's
     * initializer.
     *
     * @param withErrorFrame true to tell the client why (Courier protocol); false to just close (the legacy
     *                       protocol has no error reply)
     */
    boolean admit(Channel ch, ChannelGroup group, boolean withErrorFrame) {
        int now = open.incrementAndGet();
        if (maxConnections == 0 || now <= maxConnections) {
            group.add(ch);
            return true;
        }
        open.decrementAndGet();
        int unlogged = refusedUnlogged.incrementAndGet();
        long t = System.nanoTime();
        if (t - lastWarningNanos > TimeUnit.SECONDS.toNanos(10)) {
            lastWarningNanos = t;
            refusedUnlogged.addAndGet(-unlogged);
            log.warn("refusing the connection from {}: all {} allowed ({}) are open; {} refused since the previous "
                    + "warning, this one included", ch.remoteAddress(), maxConnections, option, unlogged);
        }
        if (withErrorFrame) {
            refuse(ch, Refuse.INSTANCE);
        } else {
            ch.close();
        }
        return false;
    }

    /** Sets {@code ch} up to be told TOO_MANY_CONNECTIONS with {@code message} and closed. */
    static void refuse(Channel ch, String message) {
        refuse(ch, new Refuse(message));
    }

    private static void refuse(Channel ch, Refuse refuse) {
        ch.pipeline().addLast("encoder", MessageEncoder.INSTANCE).addLast("refuse", refuse);
    }

    /** Connections admitted and still open. */
    int open() {
        return open.get();
    }

    /** Sends the refusal, then discards input until the client hangs up or the linger time is over. */
    @Sharable
    static final class Refuse extends ChannelInboundHandlerAdapter {
        static final Refuse INSTANCE = new Refuse(
                "this server process holds as many connections as it allows; retry later or on another one");

        private final String message;

        Refuse(String message) {
            this.message = message;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel ch = ctx.channel();
            ctx.writeAndFlush(new ErrorReply(0, ErrorCode.TOO_MANY_CONNECTIONS, message))
                    .addListener(f -> {
                        if (f.isSuccess() && ch instanceof DuplexChannel d) {
                            d.shutdownOutput();
                        } else {
                            ch.close();
                        }
                    });
            ch.eventLoop().schedule((Runnable) ch::close, REFUSED_LINGER_MILLIS, TimeUnit.MILLISECONDS);
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                ctx.close();
            }
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
