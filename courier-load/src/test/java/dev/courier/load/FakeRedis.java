package dev.courier.load;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.RedisArrayAggregator;
import io.netty.handler.codec.redis.RedisBulkStringAggregator;
import io.netty.handler.codec.redis.RedisDecoder;
import io.netty.handler.codec.redis.RedisEncoder;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A scripted Redis peer for tests: real RESP over a loopback socket, parsed and written by Netty's redis codec.
 * Knows SET and GET; with {@code corrupt} set, every GET answers with the stored value's first byte changed.
 */
final class FakeRedis implements AutoCloseable {
    final Map<String, byte[]> store = new ConcurrentHashMap<>();
    final AtomicLong gets = new AtomicLong();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final boolean corrupt;

    FakeRedis(boolean corrupt) throws InterruptedException {
        this.corrupt = corrupt;
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(new RedisDecoder())
                                .addLast(new RedisBulkStringAggregator())
                                .addLast(new RedisArrayAggregator())
                                .addLast(new RedisEncoder())
                                .addLast(new Commands());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    private final class Commands extends SimpleChannelInboundHandler<ArrayRedisMessage> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ArrayRedisMessage command) {
            String[] words = command.children().stream()
                    .map(m -> ((FullBulkStringRedisMessage) m).content().toString(StandardCharsets.UTF_8))
                    .toArray(String[]::new);
            RedisMessage reply;
            if (words.length == 3 && words[0].equalsIgnoreCase("SET")) {
                store.put(words[1], words[2].getBytes(StandardCharsets.UTF_8));
                reply = new SimpleStringRedisMessage("OK");
            } else if (words.length == 2 && words[0].equalsIgnoreCase("GET")) {
                gets.incrementAndGet();
                byte[] v = store.get(words[1]);
                if (v == null) {
                    reply = FullBulkStringRedisMessage.NULL_INSTANCE;
                } else {
                    ByteBuf b = Unpooled.copiedBuffer(v);
                    if (corrupt) {
                        b.setByte(0, b.getByte(0) ^ 1);
                    }
                    reply = new FullBulkStringRedisMessage(b);
                }
            } else {
                reply = new ErrorRedisMessage("ERR unknown command '" + String.join(" ", words) + "'");
            }
            ctx.write(reply);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
