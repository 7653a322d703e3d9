package dev.courier.transport;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.MessageCodec;
import dev.courier.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Cuts the byte stream into frames and decodes each into a message. The length field is checked against
 * {@code maxFrameBytes} as soon as its four bytes are in, before any payload is buffered, so a peer cannot make
 * this side allocate for a length it lied about.
 *
 * <p>Framing errors (length too small or too large, unknown type) are fatal to the connection and surface as a
 * {@link ProtocolException} through {@code exceptionCaught}; after one, the decoder discards everything else the
 * peer sends. Payload errors of a known type are not fatal and also surface as a {@link ProtocolException}, with
 * the request id, while the decoder continues with the next frame.
 *
 * <p>Given a {@link Keepalive}, it runs it: starts it when the channel is active, tells it of every read before
 * decoding anything (so that a large frame still arriving, slowly, counts as hearing from the peer) and stops it when
 * the channel closes. The server embeds its keepalive this way instead of giving it a pipeline slot of its own, and
 * its protocol handler needs no field for it: on a million connections both count. One instance per channel.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    /** Frames at least this long are gathered without copying (see {@link #decode}). */
    static final int LARGE_FRAME_BYTES = 64 << 10;

    private final int maxFrameBytes;
    private final Keepalive keepalive;
    private boolean broken;
    private boolean composite;

    public FrameDecoder(int maxFrameBytes) {
        this(maxFrameBytes, null);
    }

    /** @param keepalive run by this decoder (started, told of every read, stopped), or null */
    public FrameDecoder(int maxFrameBytes, Keepalive keepalive) {
        this.maxFrameBytes = maxFrameBytes;
        this.keepalive = keepalive;
    }

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
            in.skipBytes(FrameDescriptor.LENGTH_FIELD_BYTES);
            ByteBuf frame = in.readSlice((int) length);
            if (composite && length >= LARGE_FRAME_BYTES) {
                // Small frames (points) go back to one contiguous buffer, which suits many per read.
                setCumulator(MERGE_CUMULATOR);
                composite = false;
            }
            try {
                out.add(MessageCodec.decode(frame));
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
}
