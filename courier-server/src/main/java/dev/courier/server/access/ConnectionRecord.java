package dev.courier.server.access;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the access log says of one connection: at the head of its pipeline it counts the bytes in and out (TLS
 * records included), the protocol handler tells it of requests, errors and why it closes it, and when the channel
 * goes inactive it writes the line. Added only while the access log is on ({@link AccessLog#enabled()} at accept),
 * so the million idle connections of a server without it carry nothing. Bytes and requests are counted on the event
 * loop; errors may be counted from the blocking executor too.
 */
public final class ConnectionRecord extends ChannelDuplexHandler {
    private static final String NAME = "access";

    private final String port;
    private final long startNanos = System.nanoTime();
    private long bytesIn;
    private long bytesOut;
    private long requests;
    private final AtomicLong errors = new AtomicLong();
    /** Why the server closed it; null while it has not, so a close by the client reads as such. */
    private volatile String closeReason;

    private ConnectionRecord(String port) {
        this.port = port;
    }

    /** Puts a record at the head of {@code pipeline} when the access log is on; {@code port} labels its line. */
    public static void addIfEnabled(ChannelPipeline pipeline, String port) {
        if (AccessLog.enabled()) {
            pipeline.addFirst(NAME, new ConnectionRecord(port));
        }
    }

    /** The record of the connection of {@code pipeline}; null when the access log was off at its accept. */
    public static ConnectionRecord of(ChannelPipeline pipeline) {
        return pipeline.get(ConnectionRecord.class);
    }

    /** A request was read. Event loop only. */
    public void request() {
        requests++;
    }

    /** A request was answered with an ERROR. */
    public void error() {
        errors.incrementAndGet();
    }

    /** The server is closing the connection, for {@code reason} (an error code, or a few words); the first wins. */
    public void closing(String reason) {
        if (closeReason == null) {
            closeReason = reason;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf b) {
            bytesIn += b.readableBytes();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        bytesOut += switch (msg) {
            case ByteBuf b -> b.readableBytes();
            case ByteBufHolder h -> h.content().readableBytes();
            case FileRegion r -> r.count() - r.transferred();
            default -> 0;
        };
        ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        String reason = closeReason;
        AccessLog.connection(ctx.channel().remoteAddress(), port, startNanos, requests, errors.get(), bytesIn,
                bytesOut, reason != null ? reason : "closed by the client");
        super.channelInactive(ctx);
    }
}
