package dev.courier.server.legacy;

import dev.courier.server.files.SharedFileRegion;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * Writes {@link LegacyReply}s as the old server did: little-endian numbers with nothing around them, and chunks as
 * zero-copy {@link SharedFileRegion}s, or as the bytes already read for the small chunks answered on the event loop.
 * Stateless and shared by every channel.
 */
@Sharable
final class LegacyEncoder extends MessageToMessageEncoder<LegacyReply> {
    static final LegacyEncoder INSTANCE = new LegacyEncoder();

    private LegacyEncoder() {
        super(LegacyReply.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, LegacyReply reply, List<Object> out) {
        switch (reply) {
            case LegacyReply.Value v -> out.add(
                    ctx.alloc().ioBuffer(LegacyDescriptor.VALUE_REPLY_BYTES).writeDoubleLE(v.value()));
            case LegacyReply.Size s -> out.add(
                    ctx.alloc().ioBuffer(LegacyDescriptor.SIZE_REPLY_BYTES).writeLongLE(s.sizeBytes()));
            case LegacyReply.UnknownType u -> out.add(
                    ctx.alloc().ioBuffer(1).writeByte(LegacyDescriptor.UNKNOWN_REPLY));
            case LegacyReply.Chunk c -> out.add(chunk(c));
            case LegacyReply.Bytes b -> out.add(b.bytes());
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
