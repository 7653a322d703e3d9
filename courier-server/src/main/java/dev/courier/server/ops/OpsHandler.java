package dev.courier.server.ops;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the operations port's requests: {@code GET /health} is 200 {@code ok} while the process runs,
 * {@code GET /ready} is 200 {@code ready} once the server serves and 503 {@code starting} or {@code draining}
 * otherwise; other paths are 404, other methods 405 (HEAD is GET without the body). A request the codec could not
 * read (too long a line or headers, bad syntax) gets 414, 431 or 400 and its connection is closed. Keep-alive as
 * HTTP/1.1 has it. One instance per connection, on the operations port's event loop.
 */
final class OpsHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(OpsHandler.class);
    private static final String TEXT = "text/plain; charset=utf-8";

    private final Readiness readiness;

    OpsHandler(Readiness readiness) {
        this.readiness = readiness;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            Throwable cause = request.decoderResult().cause();
            HttpResponseStatus status = cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                    : cause instanceof TooLongHttpHeaderException ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                    : HttpResponseStatus.BAD_REQUEST;
            log.debug("operations port: bad request from {}: {}", ctx.channel().remoteAddress(), cause.toString());
            respond(ctx, request, status, status.reasonPhrase().toLowerCase(), false);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpMethod method = request.method();
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            respond(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed", keepAlive);
            return;
        }
        switch (new QueryStringDecoder(request.uri()).path()) {
            case "/health" -> respond(ctx, request, HttpResponseStatus.OK, "ok", keepAlive);
            case "/ready" -> {
                switch (readiness.state()) {
                    case READY -> respond(ctx, request, HttpResponseStatus.OK, "ready", keepAlive);
                    case STARTING -> respond(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, "starting",
                            keepAlive);
                    case DRAINING -> respond(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, "draining",
                            keepAlive);
                }
            }
            default -> respond(ctx, request, HttpResponseStatus.NOT_FOUND, "not found", keepAlive);
        }
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
                                String body, boolean keepAlive) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        boolean head = request.method().equals(HttpMethod.HEAD);
        ByteBuf content = head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, TEXT)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        if (status.equals(HttpResponseStatus.METHOD_NOT_ALLOWED)) {
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
        }
        if (keepAlive) {
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
        } else {
            super.userEventTriggered(ctx, evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset by the peer or a body past the bound: nothing to answer, the connection goes.
        if (!(cause instanceof TooLongFrameException)) {
            log.debug("operations port: closing {}: {}", ctx.channel().remoteAddress(), cause.toString());
        }
        ctx.close();
    }
}
