package dev.courier.server.legacy;

import dev.courier.server.files.SharedFileRegion;
import dev.courier.server.ops.ServerMetrics;
import dev.courier.server.ops.ServerMetrics.Port;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * Writes {@link LegacyReply}s as the old server did: little-endian numbers with nothing around them, and chunks as
 * zero-copy {@link SharedFileRegion}s, or as the bytes already read for the small chunks answered on the event loop.
 * With metrics on, it counts what each reply carries as it makes its bytes: a value as {@code samples}, a chunk as
 * {@code file} (the whole reply: it has no header); size and unknown-type replies stay {@code control}. Stateless
 * and shared by every channel of one port.
 */
@Sharable
final class LegacyEncoder extends MessageToMessageEncoder<LegacyReply> {
    /** Null without metrics. */
    private final ServerMetrics metrics;

    /** @param metrics where the bytes sent are counted by kind, or null without metrics */
    LegacyEncoder(ServerMetrics metrics) {
        super(LegacyReply.class);
        this.metrics = metrics;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, LegacyReply reply, List<Object> out) {
        switch (reply) {
            case LegacyReply.Value v -> {
                out.add(ctx.alloc().ioBuffer(LegacyDescriptor.VALUE_REPLY_BYTES).writeDoubleLE(v.value()));
                if (metrics != null) {
                    metrics.samplesSent(Port.LEGACY, LegacyDescriptor.VALUE_REPLY_BYTES);
                }
            }
            case LegacyReply.Size s -> out.add(
                    ctx.alloc().ioBuffer(LegacyDescriptor.SIZE_REPLY_BYTES).writeLongLE(s.sizeBytes()));
            case LegacyReply.UnknownType u -> out.add(
                    ctx.alloc().ioBuffer(1).writeByte(LegacyDescriptor.UNKNOWN_REPLY));
            case LegacyReply.Chunk c -> {
                fileSent(c.lengthBytes());
                out.add(chunk(c));
            }
            case LegacyReply.Bytes b -> {
                fileSent(b.bytes().readableBytes());
                out.add(b.bytes());
            }
        }
    }

    private void fileSent(int n) {
        if (metrics != null) {
            metrics.fileSent(Port.LEGACY, n);
        }
    }

    private static Object chunk(LegacyReply.Chunk c) {
        if (c.lengthBytes() == 0) {
            c.release();
            return Unpooled.EMPTY_BUFFER;
        }
        return new SharedFileRegion(c.file(), c.offsetBytes(), c.lengthBytes());
    }
}
