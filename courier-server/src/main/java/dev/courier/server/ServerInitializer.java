package dev.courier.server;

import dev.courier.transport.FrameDecoder;
import dev.courier.transport.Keepalive;
import dev.courier.transport.MessageEncoder;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;

/**
 * The server's pipeline, assembled in one place: frames in, messages out, one handler per connection (which
 * embeds the connection's keepalive). Three handlers and nothing else, because every one costs heap on each of
 * possibly a million idle connections.
 */
final class ServerInitializer extends ChannelInitializer<SocketChannel> {
    private final ServerContext server;

    ServerInitializer(ServerContext server) {
        this.server = server;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ServerConfig config = server.config();
        ch.pipeline()
                .addLast("frames", new FrameDecoder(config.maxFrameBytes()))
                .addLast("encoder", MessageEncoder.INSTANCE);
        Keepalive keepalive = Keepalive.enabled(config.pingIntervalMillis(), config.idleTimeoutMillis())
                ? new Keepalive(config.pingIntervalMillis(), config.idleTimeoutMillis()) : null;
        ch.pipeline().addLast("handler", new ServerHandler(server, keepalive));
    }
}
