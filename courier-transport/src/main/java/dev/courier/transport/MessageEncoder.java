package dev.courier.transport;

import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Message;
import dev.courier.protocol.MessageCodec;
import dev.courier.protocol.UploadWrite;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * Writes messages as frames. Stateless and shared by every channel. Messages that carry bulk data (CHUNK,
 * UPLOAD_WRITE) go out as a small header buffer followed by their own data buffer, so the data is never copied;
 * buffers and file regions written directly (the zero-copy chunk path) pass through untouched.
 */
@Sharable
public final class MessageEncoder extends MessageToMessageEncoder<Message> {
    public static final MessageEncoder INSTANCE = new MessageEncoder();

    private MessageEncoder() {
        super(Message.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Message msg, List<Object> out) {
        switch (msg) {
            case ChunkReply c -> {
                ByteBuf header = ctx.alloc().ioBuffer(FrameDescriptor.CHUNK_OVERHEAD_BYTES);
                MessageCodec.encodeChunkHeader(header, c.requestId(), c.offsetBytes(), c.lengthBytes(), c.last(),
                        c.hasCrc(), c.crc32c());
                out.add(header);
                out.add(c.data().retain()); // the encoder releases the message (and so the data) once after this
            }
            case UploadWrite w -> {
                ByteBuf header = ctx.alloc().ioBuffer(FrameDescriptor.UPLOAD_WRITE_OVERHEAD_BYTES);
                MessageCodec.encodeUploadWriteHeader(header, w.requestId(), w.uploadId(), w.offsetBytes(),
                        w.lengthBytes(), w.crc32c());
                out.add(header);
                out.add(w.data().retain());
            }
            default -> {
                ByteBuf buf = ctx.alloc().ioBuffer(64);
                try {
                    MessageCodec.encode(msg, buf);
                    out.add(buf);
                } catch (RuntimeException e) {
                    buf.release();
                    throw e;
                }
            }
        }
    }
}
