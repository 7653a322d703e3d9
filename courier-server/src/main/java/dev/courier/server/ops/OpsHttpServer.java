package dev.courier.server.ops;

import dev.courier.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations port ({@code serve --metrics HOST:PORT}): HTTP/1.1 for load balancers, orchestrators and scrapers,
 * on an event loop of its own so that a slow or hostile checker never takes time from the Courier connections, and a
 * busy Courier port never makes a health check time out. Bounded as {@link OpsLimits} says. Started before the
 * recordings load (so {@code /health} answers and {@code /ready} says {@code starting} meanwhile) and closed last.
 * Thread-safe.
 */
public final class OpsHttpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OpsHttpServer.class);

    private final EventLoopGroup group;
    private final Channel channel;

    private OpsHttpServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * Binds {@code address} (port 0 picks a free one) and serves until {@link #close()}.
     *
     * @throws IOException when the address cannot be bound; the message names it
     */
    public static OpsHttpServer start(InetSocketAddress address, Readiness readiness, OpsLimits limits,
                                      Transport transport) throws IOException, InterruptedException {
        EventLoopGroup group = transport.newEventLoopGroup(1, "courier-ops");
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannelClass())
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new OpsInitializer(readiness, limits))
                    .bind(address).sync().channel();
            OpsHttpServer server = new OpsHttpServer(group, channel);
            log.info("operations HTTP (/health, /ready) on {}", server.localAddress());
            return server;
        } catch (InterruptedException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new IOException("cannot listen on " + address + " for the operations port (--metrics): "
                    + e.getMessage(), e);
        }
    }

    /** Where it listens; the real port when asked for port 0. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** Stops listening, closes its connections and its thread. Idempotent. */
    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
