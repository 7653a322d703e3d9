package dev.courier.client.internal;

import dev.courier.client.ClientConfig;
import dev.courier.client.CourierException;
import dev.courier.client.ServerLimits;
import dev.courier.protocol.ErrorCode;
import dev.courier.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.ConnectException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Opens handshaken connections to one server: the event loops, the bootstrap (with {@link ClientInitializer}'s
 * pipeline) and the handshake with its timeout. The public {@code CourierClient} is a thin face over one; tests
 * that need the protocol-level operations of {@link WireConnection} open one of their own. Thread-safe; close it
 * to stop its event loops.
 */
public final class Dialer implements AutoCloseable {
    private final ClientConfig config;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;

    public Dialer(ClientConfig config) {
        this.config = config;
        Transport transport = Transport.best();
        this.group = transport.newEventLoopGroup(config.ioThreads(), "courier-client");
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(transport.socketChannelClass())
                .option(ChannelOption.TCP_NODELAY, true)
                // Reads grow up to 1 MiB when the socket has that much (file chunks), and stay small otherwise.
                .option(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(512, 16 << 10, 1 << 20))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, config.connectTimeoutMillis())
                .handler(new ClientInitializer(config));
    }

    public ClientConfig config() {
        return config;
    }

    /** The event loops, for the waits between retries; never for blocking work. */
    public ScheduledExecutorService scheduler() {
        return group;
    }

    /**
     * Connects and completes the handshake within the connect timeout; fails with CONNECTION_FAILED, TIMED_OUT, or
     * the server's typed error (such as TOO_MANY_CONNECTIONS).
     */
    public CompletableFuture<WireConnection> connect() {
        ChannelFuture cf = bootstrap.connect(config.host(), config.port());
        CompletableFuture<WireConnection> result = new CompletableFuture<>();
        cf.addListener(f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(new CourierException(ErrorCode.CONNECTION_FAILED,
                        "cannot connect to " + config.address() + ": " + describe(f.cause()), f.cause()));
                return;
            }
            Channel ch = cf.channel();
            ClientHandler handler = ClientInitializer.handler(ch);
            var timeout = ch.eventLoop().schedule(() -> {
                if (!handler.handshake().isDone()) {
                    handler.handshake().completeExceptionally(new CourierException(ErrorCode.TIMED_OUT,
                            "no handshake from " + config.address() + " within " + config.connectTimeoutMillis()
                                    + " ms"));
                    ch.close();
                }
            }, config.connectTimeoutMillis(), TimeUnit.MILLISECONDS);
            handler.handshake().whenComplete((hello, err) -> {
                timeout.cancel(false);
                if (err != null) {
                    result.completeExceptionally(CourierException.unwrap(err));
                } else {
                    result.complete(new WireConnection(ch, handler,
                            new ServerLimits(hello.version(), hello.maxFrameBytes(), hello.maxChunkBytes())));
                }
            });
        });
        return result;
    }

    /** {@link #connect()}, waiting for it; throws {@link CourierException}. */
    public WireConnection open() {
        try {
            return connect().join();
        } catch (RuntimeException e) {
            throw CourierException.unwrap(e);
        }
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        if (t instanceof ConnectException && m != null && m.contains("refused")) {
            return "connection refused (is a server running there?)";
        }
        return m != null ? m : t.getClass().getSimpleName();
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
