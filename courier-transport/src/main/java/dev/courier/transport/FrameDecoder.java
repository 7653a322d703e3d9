package dev.courier.transport;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Message;
import dev.courier.protocol.MessageReader;
import dev.courier.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Cuts the byte stream into frames and reads each into a message of the side it serves: {@link #requests} on a
 * server, through {@link MessageReader#readRequest}, and {@link #replies} on a client, through
 * {@link MessageReader#readReply}. The length field is checked against {@code maxFrameBytes} as soon as its four
 * bytes are in, before any payload is buffered, so a peer cannot make this side allocate for a length it lied
 * about.
 *
 * <p>Framing errors (length too small or too large, a type unknown to this side, which includes the types only this
 * side sends) are fatal to the connection and surface as a {@link ProtocolException} through
 * {@code exceptionCaught}; after one, the decoder discards everything else the peer sends. Payload errors of a known
 * type are not fatal and also surface as a {@link ProtocolException}, passed on as a message with the request id,
 * while the decoder continues with the next frame.
 *
 * <p>Given a {@link Keepalive}, it runs it: starts it when the channel is active, tells it of every read before
 * decoding anything (so that a large frame still arriving, slowly, counts as hearing from the peer) and stops it when
 * the channel closes. The server embeds its keepalive this way instead of giving it a pipeline slot of its own, and
 * its protocol handler needs no field for it: on a million connections both count. For the same reason the side is
 * a subclass, not a field. One instance per channel.
 */
public abstract sealed class FrameDecoder extends ByteToMessageDecoder
        permits FrameDecoder.RequestDecoder, FrameDecoder.ReplyDecoder {
    /** Frames at least this long are gathered without copying (see {@link #decode}). */
    static final int LARGE_FRAME_BYTES = 64 << 10;

    private final int maxFrameBytes;
    private final Keepalive keepalive;
    /** Null when nothing counts the frames. */
    private final FrameMeter meter;
    private boolean broken;
    private boolean composite;

    private FrameDecoder(int maxFrameBytes, Keepalive keepalive, FrameMeter meter) {
        this.maxFrameBytes = maxFrameBytes;
        this.keepalive = keepalive;
        this.meter = meter;
    }

    /** A server's decoder: frames of at most {@code maxFrameBytes} read as requests. */
    public static FrameDecoder requests(int maxFrameBytes) {
        return new RequestDecoder(maxFrameBytes, null, null);
    }

    /** As {@link #requests(int)}, running {@code keepalive}: started, told of every read, stopped with the channel. */
    public static FrameDecoder requests(int maxFrameBytes, Keepalive keepalive) {
        return new RequestDecoder(maxFrameBytes, keepalive, null);
    }

    /** As {@link #requests(int, Keepalive)}, telling {@code meter} (null: none) of every whole frame cut. */
    public static FrameDecoder requests(int maxFrameBytes, Keepalive keepalive, FrameMeter meter) {
        return new RequestDecoder(maxFrameBytes, keepalive, meter);
    }

    /** A client's decoder: frames of at most {@code maxFrameBytes} read as replies. */
    public static FrameDecoder replies(int maxFrameBytes) {
        return new ReplyDecoder(maxFrameBytes, null, null);
    }

    /** As {@link #replies(int)}, running {@code keepalive} as {@link #requests(int, Keepalive)} does. */
    public static FrameDecoder replies(int maxFrameBytes, Keepalive keepalive) {
        return new ReplyDecoder(maxFrameBytes, keepalive, null);
    }

    /** Reads one whole frame, length field included, as the side this decoder serves receives it. */
    abstract Message read(ByteBuf frame);

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (keepalive != null && ctx.channel().isActive()) {
            keepalive.start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (keepalive != null) {
            keepalive.start(ctx);
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (keepalive != null) {
            keepalive.heard();
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (keepalive != null) {
            keepalive.stop();
        }
        super.channelInactive(ctx);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (keepalive != null) {
            keepalive.stop();
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (broken) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.readableBytes() >= FrameDescriptor.LENGTH_FIELD_BYTES) {
            long length = in.getUnsignedInt(in.readerIndex());
            if (length < FrameDescriptor.MIN_FRAME_LENGTH) {
                fail(in, new ProtocolException(ErrorCode.MALFORMED_FRAME, 0,
                        "frame length " + length + " is shorter than the " + FrameDescriptor.MIN_FRAME_LENGTH
                                + "-byte header"));
                return;
            }
            if (length > maxFrameBytes) {
                fail(in, new ProtocolException(ErrorCode.FRAME_TOO_LARGE, 0,
                        "frame length " + length + " exceeds the maximum of " + maxFrameBytes + " bytes"));
                return;
            }
            if (in.readableBytes() < FrameDescriptor.LENGTH_FIELD_BYTES + length) {
                if (length >= LARGE_FRAME_BYTES && !composite) {
                    // A big frame (a file chunk) arrives over many reads: keep the reads as they are instead of
                    // copying each into one growing buffer; the frame becomes a view over them.
                    setCumulator(COMPOSITE_CUMULATOR);
                    composite = true;
                }
                return;
            }
            ByteBuf frame = in.readSlice(FrameDescriptor.LENGTH_FIELD_BYTES + (int) length);
            if (meter != null) {
                meter.frame(frame.getUnsignedByte(frame.readerIndex() + FrameDescriptor.TYPE_OFFSET),
                        frame.readableBytes());
            }
            if (composite && length >= LARGE_FRAME_BYTES) {
                // Small frames (points) go back to one contiguous buffer, which suits many per read.
                setCumulator(MERGE_CUMULATOR);
                composite = false;
            }
            try {
                out.add(read(frame));
            } catch (ProtocolException e) {
                if (e.code().fatal()) {
                    fail(in, e);
                    return;
                }
                out.add(e);
            }
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        decode(ctx, in, out);
        if (!broken && in.isReadable()) {
            int pending = in.readableBytes();
            fail(in, new ProtocolException(ErrorCode.MALFORMED_FRAME, 0,
                    "the connection ended inside a frame (" + pending + " bytes of an incomplete frame)"));
        }
    }

    /** True once a fatal framing error was seen; the rest of the stream is ignored. */
    public boolean broken() {
        return broken;
    }

    private void fail(ByteBuf in, ProtocolException e) {
        broken = true;
        in.skipBytes(in.readableBytes());
        throw e;
    }

    private static final class RequestDecoder extends FrameDecoder {
        RequestDecoder(int maxFrameBytes, Keepalive keepalive, FrameMeter meter) {
            super(maxFrameBytes, keepalive, meter);
        }

        @Override
        Message read(ByteBuf frame) {
            return MessageReader.readRequest(frame);
        }
    }

    private static final class ReplyDecoder extends FrameDecoder {
        ReplyDecoder(int maxFrameBytes, Keepalive keepalive, FrameMeter meter) {
            super(maxFrameBytes, keepalive, meter);
        }

        @Override
        Message read(ByteBuf frame) {
            return MessageReader.readReply(frame);
        }
    }
}
