package dev.courier.transport;

import dev.courier.protocol.Ping;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoop;
import io.netty.channel.FileRegion;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Liveness and progress for one connection: after the ping interval without hearing from the peer it sends a PING
 * (which the peer answers); after the idle timeout without hearing anything it fires {@link #IDLE_TIMEOUT}; and when
 * bytes wait to be sent and the peer takes none of them for the write timeout, it fires {@link #WRITE_TIMEOUT}. The
 * protocol handler reports and closes on either event. The ping interval and the idle timeout of each connection are
 * lengthened by up to 10%, so connections opened together do not ping together.
 *
 * <p>What counts as hearing from the peer: any bytes read (a frame still arriving counts; call {@link #heard} on every
 * read, as {@link FrameDecoder} does when given this keepalive), and any progress in sending to it, since a peer
 * whose TCP stack takes our bytes is alive. While this side has stopped reading (auto-read off) and nothing waits to
 * be sent, the idle clock stands still: the silence is this side's own doing (it is busy with the peer's requests).
 *
 * <p>Progress in sending is read from the channel's outbound buffer at every sweep, as Netty's
 * {@code IdleStateHandler} does with {@code observeOutput}: the message at its head, how far that message has been
 * written and how many bytes are pending. Pooled buffers are recycled, so the same object may be at the head again
 * with a different message; only the three together, unchanged from one sweep to the next over the whole write
 * timeout, count as a stall. Output that waits but has not been flushed is not the peer's fault and does not count.
 *
 * <p>Connections do not get timers of their own: every event loop has one {@link Sweeper} that checks all of its
 * connections on one periodic task, so a million idle connections cost a million small objects, not a million
 * scheduled tasks. The sweep runs every quarter of the shortest timer (at least every 10 ms), so an event may come up
 * to that much late. A keepalive stops watching once it has fired an event.
 *
 * <p>Two ways to use it: as a handler at the head of the pipeline (it then hears every read itself), or run by
 * another handler, which calls {@link #start}, {@link #heard} and {@link #stop} itself, as {@link FrameDecoder} does
 * when given one; that saves a pipeline slot per connection, which counts when a server holds a million of them.
 * Either way the events are fired from the head of the pipeline, so every inbound handler sees them. Confined to the
 * channel's event loop.
 */
public final class Keepalive extends ChannelInboundHandlerAdapter {
    /** Fired down the pipeline when nothing was heard within the idle timeout. */
    public static final Object IDLE_TIMEOUT = new Object() {
        @Override
        public String toString() {
            return "IDLE_TIMEOUT";
        }
    };

    /**
     * Fired down the pipeline when bytes have waited to be sent and the peer took none of them within the write
     * timeout. The handler should close at once ({@link #pendingWriteBytes} says how much was waiting): anything it
     * writes would queue behind the bytes that are not moving.
     */
    public static final Object WRITE_TIMEOUT = new Object() {
        @Override
        public String toString() {
            return "WRITE_TIMEOUT";
        }
    };

    private static final FastThreadLocal<Sweeper> SWEEPERS = new FastThreadLocal<>();

    // Fields are per connection and a server may hold a million connections: the settings are shared, and the
    // jitter comes from the identity hash rather than a field of its own (see jittered).
    private final Timers timers;
    private ChannelHandlerContext ctx;
    private long lastReadNanos;
    private long lastPingNanos;
    private long writeStalledSinceNanos;
    /** What the outbound buffer looked like at the last sweep; 0 when nothing flushed was waiting. */
    private int output;
    /** Between {@link #start} and {@link #stop}: a sweep may still hold a keepalive stopped during that sweep. */
    private boolean watching;

    /** @param pingIntervalMillis 0 for no pings; @param idleTimeoutMillis 0 for no timeout; no write timeout */
    public Keepalive(long pingIntervalMillis, long idleTimeoutMillis) {
        this(Timers.of(pingIntervalMillis, idleTimeoutMillis, 0));
    }

    /** A keepalive on shared settings: one {@link Timers} for every connection of a listener. */
    public Keepalive(Timers timers) {
        this.timers = timers;
    }

    /** True when either a ping interval or an idle timeout is set. */
    public static boolean enabled(long pingIntervalMillis, long idleTimeoutMillis) {
        return pingIntervalMillis > 0 || idleTimeoutMillis > 0;
    }

    /**
     * Bytes flushed to {@code ch} and not yet sent, file regions included (Netty's own count leaves them out), for a
     * log line; 0 once it is closed. Walks the outbound buffer: not for every sweep.
     */
    public static long pendingWriteBytes(Channel ch) {
        ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
        if (out == null) {
            return 0;
        }
        long[] bytes = {0};
        try {
            out.forEachFlushedMessage(m -> {
                switch (m) {
                    case ByteBuf b -> bytes[0] += b.readableBytes();
                    case ByteBufHolder h -> bytes[0] += h.content().readableBytes();
                    case FileRegion r -> bytes[0] += r.count() - r.transferred();
                    default -> {
                    }
                }
                return true;
            });
        } catch (Exception e) {
            return out.totalPendingWriteBytes();
        }
        return bytes[0];
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
        watching = true;
        lastReadNanos = System.nanoTime();
        lastPingNanos = lastReadNanos;
        Sweeper s = SWEEPERS.get();
        if (s == null) {
            s = new Sweeper(ctx.channel().eventLoop());
            SWEEPERS.set(s);
        }
        s.add(this, timers.tickNanos);
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
        if (!watching) {
            return;
        }
        watching = false;
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

    /** Bytes arrived from the peer: it is alive. Call on every read, before the bytes are decoded. */
    public void heard() {
        lastReadNanos = System.nanoTime();
    }

    private void check(long now) {
        if (!watching) {
            return;
        }
        Timers t = timers;
        boolean stalled = observeOutput(now);
        long quiet = now - lastReadNanos;
        if (stalled && t.writeTimeoutNanos > 0 && now - writeStalledSinceNanos >= t.writeTimeoutNanos) {
            fire(WRITE_TIMEOUT);
        } else if (t.idleTimeoutNanos > 0 && quiet >= jittered(t.idleTimeoutNanos)) {
            fire(IDLE_TIMEOUT);
        } else if (!stalled && t.pingIntervalNanos > 0) {
            // No ping behind bytes that are not moving: it could not reach the peer any sooner than they do.
            long ping = jittered(t.pingIntervalNanos);
            if (quiet >= ping && now - lastPingNanos >= ping) {
                lastPingNanos = now;
                // From the tail, so the ping passes the encoder wherever this handler sits.
                ctx.channel().writeAndFlush(new Ping(0, now), ctx.channel().voidPromise());
            }
        }
    }

    /**
     * Compares the outbound buffer with the last sweep's. Returns true when flushed bytes wait and nothing of them
     * moved since; moving bytes count as hearing from the peer.
     */
    private boolean observeOutput(long now) {
        Channel ch = ctx.channel();
        ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
        if (out == null || out.isEmpty()) {
            output = 0;
            if (!ch.config().isAutoRead()) {
                lastReadNanos = now; // not reading, nothing to send: the wait is ours, not the peer's
            }
            return false;
        }
        int seen = fingerprint(out);
        if (seen == output) {
            return true;
        }
        if (output != 0) {
            lastReadNanos = now; // bytes left since the last sweep: the peer is taking them
        }
        output = seen;
        writeStalledSinceNanos = now;
        return false;
    }

    private static int fingerprint(ChannelOutboundBuffer out) {
        long h = System.identityHashCode(out.current());
        h = h * 31 + out.currentProgress();
        h = h * 31 + out.totalPendingWriteBytes();
        int f = (int) (h ^ (h >>> 32));
        return f == 0 ? 1 : f;
    }

    /**
     * {@code nanos} lengthened by 0 to 10%, the same for the whole life of this connection. The fraction comes from
     * the identity hash, which HotSpot draws at random and keeps in the object header (the sweeper's identity set
     * computes it anyway): four bytes saved on each of a million connections.
     */
    private long jittered(long nanos) {
        double fraction = (System.identityHashCode(this) & 0x3FF) / 1024.0;
        return nanos + (long) (nanos * 0.1 * fraction);
    }

    private void fire(Object event) {
        stop();
        ctx.pipeline().fireUserEventTriggered(event);
    }

    /**
     * The timers of every connection of one listener: shared, because per-connection copies would cost heap on each
     * of a million connections. Immutable and thread-safe.
     */
    public static final class Timers {
        private final long pingIntervalNanos;
        private final long idleTimeoutNanos;
        private final long writeTimeoutNanos;
        private final long tickNanos;

        private Timers(long pingIntervalMillis, long idleTimeoutMillis, long writeTimeoutMillis) {
            if (pingIntervalMillis < 0 || idleTimeoutMillis < 0 || writeTimeoutMillis < 0) {
                throw new IllegalArgumentException("timers must be >= 0 ms (0 turns one off): ping "
                        + pingIntervalMillis + ", idle " + idleTimeoutMillis + ", write " + writeTimeoutMillis);
            }
            this.pingIntervalNanos = TimeUnit.MILLISECONDS.toNanos(pingIntervalMillis);
            this.idleTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(idleTimeoutMillis);
            this.writeTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(writeTimeoutMillis);
            long shortest = Math.min(orMax(pingIntervalNanos), Math.min(orMax(idleTimeoutNanos),
                    orMax(writeTimeoutNanos)));
            this.tickNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(10), shortest / 4);
        }

        /**
         * @param pingIntervalMillis a connection silent this long is sent a PING; 0 for never
         * @param idleTimeoutMillis  a connection silent this long fires {@link #IDLE_TIMEOUT}; 0 for never
         * @param writeTimeoutMillis a connection whose peer takes none of the bytes waiting for it this long fires
         *                           {@link #WRITE_TIMEOUT}; 0 for never
         */
        public static Timers of(long pingIntervalMillis, long idleTimeoutMillis, long writeTimeoutMillis) {
            return new Timers(pingIntervalMillis, idleTimeoutMillis, writeTimeoutMillis);
        }

        /** True when any timer is set, so that a keepalive has something to do. */
        public boolean enabled() {
            return pingIntervalNanos > 0 || idleTimeoutNanos > 0 || writeTimeoutNanos > 0;
        }

        public long pingIntervalMillis() {
            return TimeUnit.NANOSECONDS.toMillis(pingIntervalNanos);
        }

        public long idleTimeoutMillis() {
            return TimeUnit.NANOSECONDS.toMillis(idleTimeoutNanos);
        }

        public long writeTimeoutMillis() {
            return TimeUnit.NANOSECONDS.toMillis(writeTimeoutNanos);
        }

        private static long orMax(long nanos) {
            return nanos == 0 ? Long.MAX_VALUE : nanos;
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
