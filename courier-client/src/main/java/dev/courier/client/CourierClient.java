package dev.courier.client;

import dev.courier.client.internal.ClientHandler;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Hello;
import dev.courier.transport.FrameDecoder;
import dev.courier.transport.Keepalive;
import dev.courier.transport.MessageEncoder;
import dev.courier.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The entry point of the client library: holds the event loop threads and the configuration, and opens
 * {@link Connection}s to one server. Create one per process and share it; close it when done. Thread-safe.
 */
public final class CourierClient implements AutoCloseable {
    private final ClientConfig config;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;

    public CourierClient(ClientConfig config) {
        this.config = config;
        Transport transport = Transport.best();
        this.group = transport.newEventLoopGroup(config.ioThreads(), "courier-client");
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(transport.socketChannelClass())
                .option(ChannelOption.TCP_NODELAY, true)
                // Reads grow up to 1 MiB when the socket has that much (file chunks), and stay small otherwise.
                .option(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(512, 16 << 10, 1 << 20))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, config.connectTimeoutMillis());
    }

    public ClientConfig config() {
        return config;
    }

    /** The client's event loops, for scheduling retries; not for blocking work. */
    public java.util.concurrent.ScheduledExecutorService scheduler() {
        return group;
    }

    /** Connects and completes the handshake; fails with CONNECTION_FAILED or the server's typed error. */
    public CompletableFuture<Connection> connect() {
        ClientHandler handler = new ClientHandler(
                new Hello(0, FrameDescriptor.VERSION, config.maxFrameBytes(),
                        config.maxFrameBytes() - FrameDescriptor.CHUNK_OVERHEAD_BYTES + FrameDescriptor.LENGTH_FIELD_BYTES),
                config.requestTimeoutMillis());
        ChannelFuture cf = bootstrap.clone()
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (Keepalive.enabled(config.pingIntervalMillis(), config.idleTimeoutMillis())) {
                            ch.pipeline().addLast("keepalive",
                                    new Keepalive(config.pingIntervalMillis(), config.idleTimeoutMillis()));
                        }
                        ch.pipeline()
                                .addLast("frames", FrameDecoder.replies(config.maxFrameBytes()))
                                .addLast("encoder", MessageEncoder.INSTANCE)
                                .addLast("handler", handler);
                    }
                })
                .connect(config.host(), config.port());
        CompletableFuture<Connection> result = new CompletableFuture<>();
        cf.addListener(f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(new CourierException(ErrorCode.CONNECTION_FAILED,
                        "cannot connect to " + config.address() + ": " + describe(f.cause()), f.cause()));
                return;
            }
            Channel ch = cf.channel();
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
                    result.complete(new Connection(ch, handler,
                            new ServerLimits(hello.version(), hello.maxFrameBytes(), hello.maxChunkBytes())));
                }
            });
        });
        return result;
    }

    /** {@link #connect()}, waiting for it; throws {@link CourierException}. */
    public Connection open() {
        try {
            return connect().join();
        } catch (RuntimeException e) {
            throw CourierException.unwrap(e);
        }
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        if (t instanceof java.net.ConnectException && m != null && m.contains("refused")) {
            return "connection refused (is a server running there?)";
        }
        return m != null ? m : t.getClass().getSimpleName();
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
