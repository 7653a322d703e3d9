package dev.courier.server.tls;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.MessageWriter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of a TLS port's connection, until its first bytes arrive: a TLS record puts the
 * {@link SslHandler} of the current context ({@link ServerTls}) in its place, the bytes read so far handed to it;
 * anything else, a plaintext Courier frame for one, is answered with a plaintext ERROR {@code TLS_REQUIRED}
 * (request id 0, fatal) and the connection closed, so a client without {@code --tls} learns why instead of seeing a
 * reset. A Courier frame can never pass for a TLS record: a record starts with a content type of 20 to 23 and a
 * version 3.x, which as a frame length is over 335 MB, above any frame limit.
 *
 * <p>It also bounds the handshake: from the connection's start, the handshake must end within
 * {@link TlsFiles#handshakeTimeoutMillis()}; the gate closes a connection that sends nothing, and the SslHandler
 * gets what is left of the time. One per connection, confined to its event loop.
 */
public final class TlsGate extends ByteToMessageDecoder {
    /** A TLS record header: type, version, length; {@link SslHandler#isEncrypted} needs all five. */
    private static final int RECORD_HEADER_BYTES = 5;
    private static final Logger log = LoggerFactory.getLogger(TlsGate.class);
    /** Short, and the same every time: docs/protocol.md shows this frame byte by byte. */
    static final String MESSAGE = "TLS required: connect with --tls or --ca FILE";

    private final ServerTls tls;
    private long deadlineNanos;
    private ScheduledFuture<?> timeout;
    private boolean refused;

    public TlsGate(ServerTls tls) {
        this.tls = tls;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        long millis = tls.files().handshakeTimeoutMillis();
        deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        timeout = ctx.executor().schedule(() -> {
            log.debug("closing {}: no TLS handshake began within {} ms", ctx.channel().remoteAddress(), millis);
            ctx.close();
        }, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        timeout.cancel(false);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (refused) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < RECORD_HEADER_BYTES) {
            return;
        }
        if (SslHandler.isEncrypted(in, false)) {
            SslHandler handler = tls.newHandler(ctx.alloc());
            handler.setHandshakeTimeoutMillis(Math.max(1,
                    TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime())));
            // Replacing forwards what this decoder holds to the SslHandler.
            ctx.pipeline().replace(this, "tls", handler);
            return;
        }
        refused = true;
        in.skipBytes(in.readableBytes());
        log.debug("refusing {}: plaintext on a TLS port", ctx.channel().remoteAddress());
        ByteBuf frame = ctx.alloc().ioBuffer(96);
        MessageWriter.write(new ErrorReply(0, ErrorCode.TLS_REQUIRED, MESSAGE), frame);
        ctx.writeAndFlush(frame).addListener(ChannelFutureListener.CLOSE);
    }
}
