package dev.courier.client.internal;

import dev.courier.client.ClientConfig;
import dev.courier.client.CourierException;
import dev.courier.client.Endpoint;
import dev.courier.client.ServerLimits;
import dev.courier.protocol.ErrorCode;
import dev.courier.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.AttributeKey;
import java.net.ConnectException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * Opens handshaken connections to a server: the event loops, one bootstrap per endpoint of the configuration (with
 * {@link ClientInitializer}'s pipeline) and the handshake with its timeout. The public {@code CourierClient} is a
 * thin face over one; tests that need the protocol-level operations of {@link WireConnection} open one of their
 * own. Thread-safe; close it to stop its event loops.
 *
 * <p>Several endpoints are used pick-first, as gRPC's policy of that name: every connection goes to the preferred
 * endpoint (the first, at the start); one that fails there in a way another server may not (refused, handshake
 * timed out, server full or shutting down: {@link Retry#curable}) goes to the next, and so on once round the list;
 * the endpoint that answered becomes the preferred one. A connection that was lost in use ({@link #lost}) makes the
 * next endpoint the preferred one, so the reconnect goes there first. There is no wait between the endpoints of one
 * round: the backoff between rounds is the caller's {@link Retry}.
 */
public final class Dialer implements AutoCloseable {
    /** Which of {@link #endpoints} a connection went to. */
    private static final AttributeKey<Integer> ENDPOINT = AttributeKey.valueOf(Dialer.class, "endpoint");

    private final ClientConfig config;
    private final EventLoopGroup group;
    private final List<Endpoint> endpoints;
    /** One per endpoint, in the same order: each with an initializer for its host (TLS verifies and sends it). */
    private final List<Bootstrap> bootstraps;
    private final AtomicInteger preferred = new AtomicInteger();

    public Dialer(ClientConfig config) {
        this.config = config;
        Transport transport = Transport.best();
        this.group = transport.newEventLoopGroup(config.ioThreads(), "courier-client");
        this.endpoints = config.endpoints();
        // By index rather than endpoints.indexOf: a record's first equals links its bootstrap method, a few
        // milliseconds of a one-question command's start (JFR samples, docs/benchmarks.md "Start-up, third pass").
        this.bootstraps = IntStream.range(0, endpoints.size()).mapToObj(i -> new Bootstrap()
                .group(group)
                .channel(transport.socketChannelClass())
                .option(ChannelOption.TCP_NODELAY, true)
                // Reads grow up to 1 MiB when the socket has that much (file chunks), and stay small otherwise.
                .option(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(512, 16 << 10, 1 << 20))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, config.connectTimeoutMillis())
                .attr(ENDPOINT, i)
                .handler(new ClientInitializer(config.at(endpoints.get(i))))).toList();
    }

    public ClientConfig config() {
        return config;
    }

    /** The event loops, for the waits between retries; never for blocking work. */
    public ScheduledExecutorService scheduler() {
        return group;
    }

    /**
     * Connects and completes the handshake within the connect timeout, on the preferred endpoint or, failing that,
     * the next ones in turn; fails with the last endpoint's CONNECTION_FAILED, TIMED_OUT, or the server's typed
     * error (such as TOO_MANY_CONNECTIONS).
     */
    public CompletableFuture<WireConnection> connect() {
        CompletableFuture<WireConnection> result = new CompletableFuture<>();
        connect(preferred.get(), 0, result);
        return result;
    }

    /** Tries endpoint {@code index}, then (on a failure another endpoint may not have) the next of the round. */
    private void connect(int index, int tried, CompletableFuture<WireConnection> result) {
        connectTo(index).whenComplete((conn, err) -> {
            if (err == null) {
                preferred.set(index);
                result.complete(conn);
            } else if (tried + 1 < endpoints.size() && Retry.curable(err)) {
                connect((index + 1) % endpoints.size(), tried + 1, result);
            } else {
                result.completeExceptionally(err);
            }
        });
    }

    /**
     * Tells this dialer that {@code lost}, one of its connections, was lost while in use: the next connection goes
     * to the endpoint after its own first. A connection to an endpoint that is no longer the preferred one (another
     * lane has moved on already) changes nothing.
     */
    public void lost(WireConnection lost) {
        Integer index = lost.channel().attr(ENDPOINT).get();
        if (index != null) {
            preferred.compareAndSet(index, (index + 1) % endpoints.size());
        }
    }

    private CompletableFuture<WireConnection> connectTo(int index) {
        ClientConfig at = config.at(endpoints.get(index));
        ChannelFuture cf = bootstraps.get(index).connect(at.host(), at.port());
        CompletableFuture<WireConnection> result = new CompletableFuture<>();
        cf.addListener(f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(new CourierException(ErrorCode.CONNECTION_FAILED,
                        "cannot connect to " + at.address() + ": " + describe(f.cause()), f.cause()));
                return;
            }
            Channel ch = cf.channel();
            ClientHandler handler = ClientInitializer.handler(ch);
            var timeout = ch.eventLoop().schedule(() -> {
                if (!handler.handshake().isDone()) {
                    handler.handshake().completeExceptionally(new CourierException(ErrorCode.TIMED_OUT,
                            "no handshake from " + at.address() + " within " + at.connectTimeoutMillis()
                                    + " ms"));
                    ch.close();
                }
            }, at.connectTimeoutMillis(), TimeUnit.MILLISECONDS);
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
