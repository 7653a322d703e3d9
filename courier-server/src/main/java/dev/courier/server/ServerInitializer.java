package dev.courier.server;

import dev.courier.transport.FrameDecoder;
import dev.courier.transport.Keepalive;
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
        ServerConfig config = server.config();
        if (Keepalive.enabled(config.pingIntervalMillis(), config.idleTimeoutMillis())) {
            ch.pipeline().addLast("keepalive", new Keepalive(config.pingIntervalMillis(), config.idleTimeoutMillis()));
        }
        ch.pipeline()
                .addLast("frames", new FrameDecoder(config.maxFrameBytes()))
                .addLast("encoder", MessageEncoder.INSTANCE)
                .addLast("handler", new ServerHandler(server));
    }
}
