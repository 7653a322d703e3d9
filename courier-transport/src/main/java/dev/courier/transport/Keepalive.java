package dev.courier.transport;

import dev.courier.protocol.Ping;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Liveness for one connection: after {@code pingInterval} without hearing from the peer it sends a PING (which the
 * peer answers), and after {@code idleTimeout} without hearing anything it fires {@link #IDLE_TIMEOUT} so the
 * protocol handler can report and close. Each interval gets up to 10% of random jitter, so connections opened
 * together do not ping together.
 *
 * <p>It belongs at the head of the pipeline, before the frame decoder, so that bytes of a large frame still
 * arriving count as hearing from the peer.
 *
 * <p>Connections do not get timers of their own: every event loop has one {@link Sweeper} that checks all of its
 * connections on one periodic task, so a million idle connections cost a million small objects, not a million
 * scheduled tasks.
 *
 * <p>Two ways to use it: as a handler in the pipeline (before the protocol handler), or embedded in the protocol
 * handler, which then calls {@link #start}, {@link #heard} and {@link #stop} itself; that saves a pipeline slot per
 * connection, which counts when a server holds a million of them. Either way the idle event is fired from the head
 * of the pipeline, so every inbound handler sees it. Confined to the channel's event loop.
 */
public final class Keepalive extends ChannelInboundHandlerAdapter {
    /** Fired down the pipeline when nothing was heard within the idle timeout. */
    public static final Object IDLE_TIMEOUT = new Object() {
        @Override
        public String toString() {
            return "IDLE_TIMEOUT";
        }
    };

    private static final FastThreadLocal<Sweeper> SWEEPERS = new FastThreadLocal<>();

    private final long pingIntervalNanos;
    private final long idleTimeoutNanos;
    private ChannelHandlerContext ctx;
    private long lastReadNanos;
    private long lastPingNanos;
    private boolean fired;

    /** @param pingIntervalMillis 0 for no pings; @param idleTimeoutMillis 0 for no timeout */
    public Keepalive(long pingIntervalMillis, long idleTimeoutMillis) {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        this.pingIntervalNanos = jitter(TimeUnit.MILLISECONDS.toNanos(pingIntervalMillis), r);
        this.idleTimeoutNanos = jitter(TimeUnit.MILLISECONDS.toNanos(idleTimeoutMillis), r);
    }

    private static long jitter(long nanos, ThreadLocalRandom r) {
        return nanos == 0 ? 0 : nanos + (long) (nanos * 0.1 * r.nextDouble());
    }

    /** True when either a ping interval or an idle timeout is set. */
    public static boolean enabled(long pingIntervalMillis, long idleTimeoutMillis) {
        return pingIntervalMillis > 0 || idleTimeoutMillis > 0;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(ctx);
        ctx.fireChannelActive();
    }

    /**
     * Starts watching the connection of {@code ctx}, whose pipeline the pings are written through; call once it is
     * active. Calling it again does nothing.
     */
    public void start(ChannelHandlerContext ctx) {
        if (this.ctx != null) {
            return;
        }
        this.ctx = ctx;
        lastReadNanos = System.nanoTime();
        lastPingNanos = lastReadNanos;
        Sweeper s = SWEEPERS.get();
        if (s == null) {
            s = new Sweeper(ctx.channel().eventLoop());
            SWEEPERS.set(s);
        }
        long tick = Math.max(TimeUnit.MILLISECONDS.toNanos(10),
                Math.min(pingIntervalNanos == 0 ? Long.MAX_VALUE : pingIntervalNanos,
                        idleTimeoutNanos == 0 ? Long.MAX_VALUE : idleTimeoutNanos) / 4);
        s.add(this, tick);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    /** Stops watching; call when the connection closes. Idempotent. */
    public void stop() {
        Sweeper s = SWEEPERS.getIfExists();
        if (s != null) {
            s.remove(this);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        heard();
        ctx.fireChannelRead(msg);
    }

    /** Something arrived from the peer: it is alive. */
    public void heard() {
        lastReadNanos = System.nanoTime();
    }

    private void check(long now) {
        if (fired) {
            return;
        }
        long quiet = now - lastReadNanos;
        if (idleTimeoutNanos > 0 && quiet >= idleTimeoutNanos) {
            fired = true;
            ctx.pipeline().fireUserEventTriggered(IDLE_TIMEOUT);
        } else if (pingIntervalNanos > 0 && quiet >= pingIntervalNanos && now - lastPingNanos >= pingIntervalNanos) {
            lastPingNanos = now;
            // From the tail, so the ping passes the encoder wherever this handler sits.
            ctx.channel().writeAndFlush(new Ping(0, now), ctx.channel().voidPromise());
        }
    }

    /** One periodic task per event loop, checking every keepalive registered on it. */
    private static final class Sweeper implements Runnable {
        private final EventLoop loop;
        private final Set<Keepalive> members = Collections.newSetFromMap(new IdentityHashMap<>());
        private ScheduledFuture<?> task;
        private long tickNanos = Long.MAX_VALUE;

        Sweeper(EventLoop loop) {
            this.loop = loop;
        }

        void add(Keepalive k, long wantedTickNanos) {
            members.add(k);
            if (task == null || wantedTickNanos < tickNanos) {
                if (task != null) {
                    task.cancel(false);
                }
                tickNanos = wantedTickNanos;
                task = loop.scheduleAtFixedRate(this, tickNanos, tickNanos, TimeUnit.NANOSECONDS);
            }
        }

        void remove(Keepalive k) {
            members.remove(k);
            if (members.isEmpty() && task != null) {
                task.cancel(false);
                task = null;
                tickNanos = Long.MAX_VALUE;
            }
        }

        @Override
        public void run() {
            long now = System.nanoTime();
            for (Keepalive k : members.toArray(new Keepalive[0])) {
                k.check(now);
            }
        }
    }
}
