package dev.courier.load;

import dev.courier.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.redis.ArrayHeaderRedisMessage;
import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.BulkStringHeaderRedisMessage;
import io.netty.handler.codec.redis.BulkStringRedisContent;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.LastBulkStringRedisContent;
import io.netty.handler.codec.redis.RedisDecoder;
import io.netty.handler.codec.redis.RedisEncoder;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * GET of one 8-byte value from a Redis server (RESP over Netty's redis codec), the small request/response Redis is
 * best at. {@link #prepare} SETs the value first; every GET reply must be exactly those 8 bytes. Keys passed to
 * {@link Session#send} are ignored: there is one key, as in {@code redis-benchmark -t get}.
 *
 * <p>The client side is built like Courier's: the same transport (epoll or NIO), the same thread count, one
 * handler per connection that pairs replies with requests (in order, as RESP does), and one flush per event-loop
 * turn, so the two servers are measured through equally lean clients. Replies are parsed by Netty's
 * {@link RedisDecoder}; a bulk string is checked piece by piece as it is decoded rather than aggregated first, and
 * the GET command is encoded once: measured here, aggregating and re-encoding cost this client more CPU than
 * Redis spent answering, on a machine where client and server share two cores.
 *
 * <p>Threading: as {@link Target}; each connection is confined to its event loop, and {@link Session#send} from
 * another thread hands the request over to it.
 */
public final class RedisTarget implements Target {
    /** The key the bench reads. */
    static final String KEY = "courier:bench:value";
    /** The 8 bytes stored under it. */
    static final byte[] VALUE = "c0ur13r!".getBytes(StandardCharsets.US_ASCII);
    /** The GET command, encoded once: every request writes a duplicate of it. */
    private static final ByteBuf GET_COMMAND = Unpooled.unreleasableBuffer(Unpooled.copiedBuffer(
            "*2\r\n$3\r\nGET\r\n$" + KEY.length() + "\r\n" + KEY + "\r\n", StandardCharsets.US_ASCII).asReadOnly());

    private final String host;
    private final int port;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;

    RedisTarget(String host, int port, int ioThreads, int connectTimeoutMillis) {
        this.host = host;
        this.port = port;
        Transport transport = Transport.best();
        this.group = transport.newEventLoopGroup(ioThreads, "courier-bench-redis");
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(transport.socketChannelClass())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis);
    }

    /**
     * A target for the Redis server at {@code HOST:PORT} (port 6379 when left out, host 127.0.0.1 when empty). Its
     * event loops start now; nothing connects until {@link #prepare} or {@link #open}.
     *
     * @param ioThreads            event loop threads; 0 for Netty's default of twice the cores
     * @param connectTimeoutMillis how long a connection may take to be set up
     * @throws IllegalArgumentException when the port is not a number
     */
    public static RedisTarget parse(String hostPort, int ioThreads, int connectTimeoutMillis) {
        int colon = hostPort.lastIndexOf(':');
        String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
        int port = 6379;
        if (colon >= 0) {
            try {
                port = Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad port in --redis '" + hostPort + "'");
            }
        }
        return new RedisTarget(host.isEmpty() ? "127.0.0.1" : host, port, ioThreads, connectTimeoutMillis);
    }

    @Override
    public String describe() {
        return "redis " + host + ":" + port + ": GET of an 8-byte value";
    }

    @Override
    public String kind() {
        return "redis";
    }

    /**
     * Stores the 8-byte value the GETs must return, over a connection of its own that it closes. Blocks the calling
     * thread for up to twice {@code timeoutMillis}.
     *
     * @throws IllegalStateException when the server cannot be reached or refuses the SET
     */
    public void prepare(long timeoutMillis) {
        try {
            set(timeoutMillis);
        } catch (CompletionException e) {
            Throwable c = e;
            while (c instanceof CompletionException && c.getCause() != null) {
                c = c.getCause();
            }
            throw c instanceof RuntimeException r ? r : e;
        }
    }

    private void set(long timeoutMillis) {
        RespSession s = connect().orTimeout(timeoutMillis, TimeUnit.MILLISECONDS).join();
        try {
            CompletableFuture<RedisMessage> reply = new CompletableFuture<>();
            s.command(List.of("SET", KEY, new String(VALUE, StandardCharsets.US_ASCII)), reply);
            RedisMessage m = reply.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS).join();
            if (!(m instanceof SimpleStringRedisMessage ok) || !ok.content().equals("OK")) {
                throw new IllegalStateException("redis refused SET " + KEY + ": " + describe(m));
            }
        } finally {
            s.close();
        }
    }

    @Override
    public CompletableFuture<Session> open() {
        return connect().thenApply(s -> s);
    }

    private CompletableFuture<RespSession> connect() {
        RespSession session = new RespSession();
        ChannelFuture cf = bootstrap.clone()
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast("decoder", new RedisDecoder())
                                .addLast("encoder", new RedisEncoder())
                                .addLast("handler", session);
                    }
                })
                .connect(host, port);
        CompletableFuture<RespSession> result = new CompletableFuture<>();
        cf.addListener(f -> {
            if (f.isSuccess()) {
                result.complete(session);
            } else {
                result.completeExceptionally(new IllegalStateException("cannot connect to redis at " + host + ":"
                        + port + ": " + f.cause().getMessage(), f.cause()));
            }
        });
        return result;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static String describe(RedisMessage m) {
        return switch (m) {
            case ErrorRedisMessage e -> "error " + e.content();
            case SimpleStringRedisMessage s -> "+" + s.content();
            case FullBulkStringRedisMessage b -> b.isNull() ? "(nil)"
                    : "'" + b.content().toString(StandardCharsets.ISO_8859_1) + "'";
            default -> m.getClass().getSimpleName();
        };
    }

    /** One RESP connection: replies come back in request order, so pending requests are a FIFO. */
    private final class RespSession extends ChannelInboundHandlerAdapter implements Session {
        private final ArrayDeque<Object> pending = new ArrayDeque<>();
        private Channel channel;
        private boolean flushScheduled;
        private boolean closed;

        /** A GET in flight. */
        private record Get(long token, Callback callback) {
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            channel = ctx.channel();
        }

        @Override
        public void send(long ignoredKey, long token, Callback callback) {
            if (channel.eventLoop().inEventLoop()) {
                doSend(new Get(token, callback), getMessage());
            } else {
                channel.eventLoop().execute(() -> doSend(new Get(token, callback), getMessage()));
            }
        }

        private Object getMessage() {
            return GET_COMMAND.duplicate();
        }

        void command(List<String> words, CompletableFuture<RedisMessage> reply) {
            List<RedisMessage> parts = words.stream().<RedisMessage>map(w -> new FullBulkStringRedisMessage(
                    Unpooled.copiedBuffer(w, StandardCharsets.UTF_8))).toList();
            channel.eventLoop().execute(() -> doSend(reply, new ArrayRedisMessage(parts)));
        }

        private void doSend(Object request, Object message) {
            if (closed) {
                ReferenceCountUtil.release(message);
                fail(request, "connection closed");
                return;
            }
            pending.add(request);
            channel.write(message, channel.voidPromise());
            if (!flushScheduled) {
                flushScheduled = true;
                channel.eventLoop().execute(() -> {
                    flushScheduled = false;
                    channel.flush();
                });
            }
        }

        /** The GET whose bulk-string reply is being decoded, and how many of its bytes matched so far. */
        private Get current;
        private int bulkLength;
        private int matched;
        private boolean mismatch;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                switch (msg) {
                    case FullBulkStringRedisMessage full -> complete(pending.poll(), full); // null or empty
                    case BulkStringHeaderRedisMessage h -> {
                        Object request = pending.poll();
                        if (!(request instanceof Get g)) {
                            unexpected(ctx, request, "a bulk string");
                            return;
                        }
                        current = g;
                        bulkLength = h.bulkStringLength();
                        matched = 0;
                        mismatch = bulkLength != VALUE.length;
                    }
                    case BulkStringRedisContent c -> {
                        ByteBuf b = c.content();
                        for (int i = b.readerIndex(); i < b.writerIndex() && !mismatch; i++) {
                            mismatch = matched >= VALUE.length || b.getByte(i) != VALUE[matched++];
                        }
                        if (c instanceof LastBulkStringRedisContent && current != null) {
                            Get g = current;
                            current = null;
                            if (!mismatch && matched == VALUE.length) {
                                g.callback().completed(g.token(), Outcome.CORRECT, null);
                            } else {
                                g.callback().completed(g.token(), Outcome.WRONG, "GET " + KEY + " returned "
                                        + bulkLength + " bytes that are not '"
                                        + new String(VALUE, StandardCharsets.US_ASCII) + "'");
                            }
                        }
                    }
                    case ArrayHeaderRedisMessage a -> unexpected(ctx, pending.poll(), "an array");
                    default -> complete(pending.poll(), (RedisMessage) msg);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        /** A whole reply that is not a bulk string with content: null, empty, simple string, error, integer. */
        private void complete(Object request, RedisMessage m) {
            if (request instanceof Get g) {
                if (m instanceof ErrorRedisMessage e) {
                    g.callback().completed(g.token(), Outcome.FAILED, "redis error " + e.content());
                } else {
                    g.callback().completed(g.token(), Outcome.WRONG, "GET " + KEY + " returned " + describe(m)
                            + ", expected '" + new String(VALUE, StandardCharsets.US_ASCII) + "'");
                }
            } else if (request instanceof CompletableFuture<?> f) {
                @SuppressWarnings("unchecked")
                CompletableFuture<RedisMessage> reply = (CompletableFuture<RedisMessage>) f;
                reply.complete(m instanceof FullBulkStringRedisMessage ? FullBulkStringRedisMessage.NULL_INSTANCE : m);
            }
        }

        private void unexpected(ChannelHandlerContext ctx, Object request, String what) {
            if (request != null) {
                fail(request, "redis answered with " + what + ", which this client does not expect");
            }
            ctx.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closed = true;
            Object request;
            while ((request = pending.poll()) != null) {
                fail(request, "redis closed the connection");
            }
            ctx.fireChannelInactive();
        }

        private void fail(Object request, String why) {
            if (request instanceof Get g) {
                g.callback().completed(g.token(), Outcome.FAILED, why);
            } else if (request instanceof CompletableFuture<?> f) {
                f.completeExceptionally(new IllegalStateException(why));
            }
        }

        @Override
        public boolean isOpen() {
            return !closed && channel.isActive();
        }

        @Override
        public void close() {
            channel.close().syncUninterruptibly();
        }
    }
}
