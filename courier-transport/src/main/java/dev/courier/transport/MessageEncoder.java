package dev.courier.transport;

import dev.courier.protocol.BulkMessage;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Message;
import dev.courier.protocol.MessageWriter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * Writes messages as frames, through {@link MessageWriter}; both sides use it, the server for its replies and the
 * client for its requests. Stateless and shared by every channel. Messages that carry bulk data (CHUNK,
 * UPLOAD_WRITE) go out as a small header buffer followed by their own data buffer, so the data is never copied;
 * buffers and file regions written directly (the zero-copy chunk path) pass through untouched.
 */
@Sharable
public final class MessageEncoder extends MessageToMessageEncoder<Message> {
    public static final MessageEncoder INSTANCE = new MessageEncoder();
    /** Room for the header and prefix of either bulk frame. */
    private static final int BULK_HEADER_BYTES =
            Math.max(FrameDescriptor.CHUNK_OVERHEAD_BYTES, FrameDescriptor.UPLOAD_WRITE_OVERHEAD_BYTES);

    private MessageEncoder() {
        super(Message.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Message msg, List<Object> out) {
        if (msg instanceof BulkMessage bulk) {
            ByteBuf header = ctx.alloc().ioBuffer(BULK_HEADER_BYTES);
            MessageWriter.writeHeader(bulk, header);
            out.add(header);
            out.add(bulk.data().retain()); // the encoder releases the message (and so the data) once after this
            return;
        }
        ByteBuf frame = ctx.alloc().ioBuffer(64);
        try {
            MessageWriter.write(msg, frame);
            out.add(frame);
        } catch (RuntimeException e) {
            frame.release();
            throw e;
        }
    }
}
