package dev.courier.server;

import dev.courier.server.ops.ServerMetrics;
import dev.courier.server.tls.TlsGate;
import dev.courier.transport.FrameDecoder;
import dev.courier.transport.FrameMeter;
import dev.courier.transport.Keepalive;
import dev.courier.transport.MessageEncoder;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;

/**
 * The server's pipeline, assembled in one place: frames in (the decoder runs the connection's keepalive),
 * messages out, one handler per connection. Three handlers and nothing else, because every one costs heap on each of
 * possibly a million idle connections; on a TLS port a fourth, first: the {@link TlsGate}, which becomes the
 * connection's SslHandler when its first bytes are a TLS record (and answers plaintext with TLS_REQUIRED).
 */
final class ServerInitializer extends ChannelInitializer<SocketChannel> {
    private final ServerContext server;
    private final Keepalive.Timers timers;
    /** Counts the bytes received by kind, with metrics on; null otherwise. */
    private final FrameMeter frameMeter;

    ServerInitializer(ServerContext server) {
        this.server = server;
        ServerConfig config = server.config();
        this.timers = Keepalive.Timers.of(config.pingIntervalMillis(), config.idleTimeoutMillis(),
                config.writeTimeoutMillis());
        this.frameMeter = server.metrics().map(ServerMetrics::receivedFrames).orElse(null);
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        // One keepalive per connection, run by the decoder: it hears every read (so a large frame arriving slowly
        // is not idle), and the handler acts on its timeouts.
        Keepalive keepalive = timers.enabled() ? new Keepalive(timers) : null;
        server.tls().ifPresent(tls -> ch.pipeline().addLast("tls", new TlsGate(tls)));
        ch.pipeline()
                .addLast("frames", FrameDecoder.requests(server.config().maxFrameBytes(), keepalive, frameMeter))
                .addLast("encoder", MessageEncoder.INSTANCE)
                .addLast("handler", new ServerHandler(server));
    }
}
