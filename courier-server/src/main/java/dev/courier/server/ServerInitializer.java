package dev.courier.server;

import dev.courier.transport.FrameDecoder;
import dev.courier.transport.MessageEncoder;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;

/** The server's pipeline, assembled in one place: frames in, messages out, one handler per connection. */
final class ServerInitializer extends ChannelInitializer<SocketChannel> {
    private final ServerContext server;

    ServerInitializer(ServerContext server) {
        this.server = server;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.pipeline()
                .addLast("frames", new FrameDecoder(server.config().maxFrameBytes()))
                .addLast("encoder", MessageEncoder.INSTANCE)
                .addLast("handler", new ServerHandler(server));
    }
}
