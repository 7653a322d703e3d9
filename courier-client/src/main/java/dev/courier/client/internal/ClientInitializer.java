package dev.courier.client.internal;

import dev.courier.client.ClientConfig;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Hello;
import dev.courier.transport.FrameDecoder;
import dev.courier.transport.Keepalive;
import dev.courier.transport.MessageEncoder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.util.AttributeKey;

/**
 * The client's pipeline, assembled in one place, as the server's {@code ServerInitializer} assembles its own:
 * frames in (the decoder runs the connection's keepalive), messages out, and one {@link ClientHandler} per
 * connection. Shared by every connection of a client; {@link #handler} finds the handler of a connection. Thread-safe.
 */
public final class ClientInitializer extends ChannelInitializer<Channel> {
    /**
     * The handler of a connection, kept beside the pipeline: a connect listener may run only after the server has
     * closed the connection again (when the connect completed before the listener was added), and by then the
     * pipeline is emptied.
     */
    private static final AttributeKey<ClientHandler> HANDLER =
            AttributeKey.valueOf(ClientInitializer.class, "handler");

    private final int maxFrameBytes;
    private final long requestTimeoutMillis;
    private final Hello hello;
    /** Null when the configuration turns both the pings and the idle timeout off. */
    private final Keepalive.Timers timers;

    public ClientInitializer(ClientConfig config) {
        this.maxFrameBytes = config.maxFrameBytes();
        this.requestTimeoutMillis = config.requestTimeoutMillis();
        this.hello = hello(config);
        // The client has no write timeout: a server that takes none of its requests fails them at their own timeout.
        Keepalive.Timers t = Keepalive.Timers.of(config.pingIntervalMillis(), config.idleTimeoutMillis(), 0);
        this.timers = t.enabled() ? t : null;
    }

    /**
     * The HELLO a client of {@code config} sends: the frames it accepts, chunks as large as fit in one of them, and
     * its token if it has one.
     */
    static Hello hello(ClientConfig config) {
        return new Hello(0, FrameDescriptor.VERSION, config.maxFrameBytes(),
                config.maxFrameBytes() - FrameDescriptor.CHUNK_OVERHEAD_BYTES + FrameDescriptor.LENGTH_FIELD_BYTES,
                config.token());
    }

    @Override
    protected void initChannel(Channel ch) {
        // As on the server, the decoder runs the keepalive: it hears every read (so a large chunk arriving slowly
        // is not silence), and the handler acts on its idle timeout.
        Keepalive keepalive = timers == null ? null : new Keepalive(timers);
        ClientHandler handler = new ClientHandler(hello, requestTimeoutMillis);
        ch.attr(HANDLER).set(handler);
        ch.pipeline()
                .addLast("frames", FrameDecoder.replies(maxFrameBytes, keepalive))
                .addLast("encoder", MessageEncoder.INSTANCE)
                .addLast("handler", handler);
    }

    /** The handler this initializer gave {@code ch}. */
    public static ClientHandler handler(Channel ch) {
        return ch.attr(HANDLER).get();
    }
}
