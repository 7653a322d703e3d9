package dev.courier.server.ops;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The operations port's pipeline, in one place: idle timeout, HTTP/1.1 codec with bounded line and headers, an
 * aggregator that takes no request body (a GET has none; one with a body gets 413), then
 * {@link OpsHandler}. A connection beyond {@link OpsLimits#maxConnections()} is closed on accept. Shared by every
 * connection of the port; thread-safe.
 */
final class OpsInitializer extends ChannelInitializer<Channel> {
    private final Readiness readiness;
    private final OpsLimits limits;
    private final AtomicInteger open = new AtomicInteger();

    OpsInitializer(Readiness readiness, OpsLimits limits) {
        this.readiness = readiness;
        this.limits = limits;
    }

    @Override
    protected void initChannel(Channel ch) {
        if (open.incrementAndGet() > limits.maxConnections()) {
            open.decrementAndGet();
            ch.close();
            return;
        }
        ch.closeFuture().addListener(f -> open.decrementAndGet());
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(limits.maxRequestLineBytes())
                .setMaxHeaderSize(limits.maxHeaderBytes());
        ch.pipeline()
                .addLast("idle", new IdleStateHandler(0, 0, limits.idleTimeoutMillis(), TimeUnit.MILLISECONDS))
                .addLast("http", new HttpServerCodec(decoder))
                .addLast("aggregate", new HttpObjectAggregator(0))
                .addLast("ops", new OpsHandler(readiness));
    }
}
