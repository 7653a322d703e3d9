package dev.courier.server.ops;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the bytes of one port's connections, read and written, at the head of their pipelines (so TLS records
 * count as they go on the wire): the totals that {@link ServerMetrics} splits by kind. Shared by every connection of
 * the port and stateless, so it costs a connection only its pipeline slot; present only with metrics on. Written
 * bytes are counted when handed to the channel.
 */
@Sharable
final class ByteCounter extends ChannelDuplexHandler {
    final LongAdder received = new LongAdder();
    final LongAdder sent = new LongAdder();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf b) {
            received.add(b.readableBytes());
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        long n = switch (msg) {
            case ByteBuf b -> b.readableBytes();
            case ByteBufHolder h -> h.content().readableBytes();
            case FileRegion r -> r.count() - r.transferred();
            default -> 0;
        };
        if (n > 0) {
            sent.add(n);
        }
        ctx.write(msg, promise);
    }
}
