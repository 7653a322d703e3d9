package dev.courier.transport;

import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.Message;
import dev.courier.protocol.MessageCodec;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Writes messages as frames. Stateless and shared by every channel. Buffers and file regions written directly
 * (the zero-copy chunk path) pass through untouched.
 */
@Sharable
public final class MessageEncoder extends MessageToByteEncoder<Message> {
    public static final MessageEncoder INSTANCE = new MessageEncoder();

    private MessageEncoder() {
        super(Message.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Message msg, ByteBuf out) {
        try {
            MessageCodec.encode(msg, out);
        } finally {
            if (msg instanceof ChunkReply c) {
                c.release();
            }
        }
    }
}
