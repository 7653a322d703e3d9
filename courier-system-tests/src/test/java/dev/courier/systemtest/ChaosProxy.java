package dev.courier.systemtest;

import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.MessageType;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy between a client and a server that misbehaves on purpose: it can reset every connection through it
 * on a schedule, and it can flip one byte in the data of every n-th CHUNK frame on the way to the client (it
 * reassembles frames to find the data, so the framing itself stays intact and only the CRC can notice).
 */
final class ChaosProxy implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final Channel listener;
    private final InetSocketAddress target;
    private final int corruptEveryNthChunk;
    private final AtomicInteger chunks = new AtomicInteger();
    final AtomicInteger corrupted = new AtomicInteger();
    /** The data bytes of the chunks damaged. */
    final AtomicLong corruptedBytes = new AtomicLong();
    final AtomicInteger cuts = new AtomicInteger();

    /** @param corruptEveryNthChunk 0 for none */
    ChaosProxy(InetSocketAddress target, int corruptEveryNthChunk) throws InterruptedException {
        this.target = target;
        this.corruptEveryNthChunk = corruptEveryNthChunk;
        listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast(new FrontEnd());
                    }
                }).bind("127.0.0.1", 0).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Resets every connection through the proxy every {@code periodMillis}. */
    void cutEvery(long periodMillis) {
        group.scheduleAtFixedRate(this::cutAll, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    void cutAll() {
        cuts.incrementAndGet();
        for (Channel c : connections) {
            if (c instanceof SocketChannel s) {
                s.config().setSoLinger(0); // RST, as a broken network does
            }
            c.close();
        }
    }

    /** Copies what one side reads to its peer, reading the next bytes only once the peer took these. */
    private static class Relay extends ChannelInboundHandlerAdapter {
        Channel peer;

        Relay(Channel peer) {
            this.peer = peer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            peer.writeAndFlush(msg).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    ctx.channel().read();
                } else {
                    f.channel().close();
                }
            });
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (peer != null) {
                peer.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** The client's side: connects to the target when the client arrives, then relays like the other side. */
    private final class FrontEnd extends Relay {
        FrontEnd() {
            super(null);
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel front = ctx.channel();
            peer = new Bootstrap().group(front.eventLoop()).channel(NioSocketChannel.class)
                    .option(ChannelOption.AUTO_READ, false)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            connections.add(ch);
                            if (corruptEveryNthChunk > 0) {
                                ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(64 << 20, 0, 4, 0, 0));
                                ch.pipeline().addLast(new Corrupter());
                            }
                            ch.pipeline().addLast(new Relay(front));
                        }
                    }).connect(target).addListener((ChannelFutureListener) f -> {
                        if (f.isSuccess()) {
                            front.read();
                            f.channel().read();
                        } else {
                            front.close();
                        }
                    }).channel();
        }
    }

    /** Flips one data byte of every n-th CHUNK frame; the frames arrive whole from the length decoder. */
    private final class Corrupter extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            int start = frame.readerIndex();
            if (frame.readableBytes() > FrameDescriptor.CHUNK_OVERHEAD_BYTES
                    && frame.getUnsignedByte(start + FrameDescriptor.TYPE_OFFSET) == MessageType.CHUNK.code()
                    && chunks.incrementAndGet() % corruptEveryNthChunk == 0) {
                int at = start + FrameDescriptor.CHUNK_OVERHEAD_BYTES
                        + (frame.readableBytes() - FrameDescriptor.CHUNK_OVERHEAD_BYTES) / 2;
                frame.setByte(at, frame.getByte(at) ^ 0x5A);
                corrupted.incrementAndGet();
                corruptedBytes.addAndGet(frame.readableBytes() - FrameDescriptor.CHUNK_OVERHEAD_BYTES);
            }
            ctx.fireChannelRead(frame);
        }
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        connections.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
