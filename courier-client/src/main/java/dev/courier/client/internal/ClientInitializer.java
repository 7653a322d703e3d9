package dev.courier.client.internal;

import dev.courier.client.ClientConfig;
import dev.courier.client.ClientTls;
import dev.courier.client.CourierException;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Hello;
import dev.courier.transport.FrameDecoder;
import dev.courier.transport.Keepalive;
import dev.courier.transport.MessageEncoder;
import dev.courier.transport.tls.PemFiles;
import dev.courier.transport.tls.TlsContexts;
import dev.courier.transport.tls.TlsEngine;
import dev.courier.transport.tls.TlsIdentity;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.util.Optional;

/**
 * The client's pipeline, assembled in one place, as the server's {@code ServerInitializer} assembles its own:
 * TLS first when the configuration asks for it (an SslHandler for the server's host, which is sent as SNI and which
 * the server's certificate must name), frames in (the decoder runs the connection's keepalive), messages out, and
 * one {@link ClientHandler} per connection. Shared by every connection of a client; {@link #handler} finds the handler of a connection. Thread-safe.
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
    private final String host;
    private final int port;
    /** Null for plaintext. */
    private final SslContext tls;

    /** @throws CourierException TLS_FAILED when the configuration's TLS files cannot be read */
    public ClientInitializer(ClientConfig config) {
        this.host = config.host();
        this.port = config.port();
        this.tls = config.tls().map(ClientInitializer::context).orElse(null);
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

    private static SslContext context(ClientTls tls) {
        try {
            Optional<TlsIdentity> identity = tls.cert().isPresent()
                    ? Optional.of(TlsIdentity.load(tls.cert().get(), tls.key().orElseThrow())) : Optional.empty();
            return TlsContexts.client(TlsEngine.best(),
                    tls.ca().isPresent() ? Optional.of(PemFiles.certificates(tls.ca().get())) : Optional.empty(),
                    identity);
        } catch (IOException e) {
            throw new CourierException(ErrorCode.TLS_FAILED, "cannot set up TLS: " + e.getMessage(), e);
        }
    }

    @Override
    protected void initChannel(Channel ch) {
        // As on the server, the decoder runs the keepalive: it hears every read (so a large chunk arriving slowly
        // is not silence), and the handler acts on its idle timeout.
        Keepalive keepalive = timers == null ? null : new Keepalive(timers);
        ClientHandler handler = new ClientHandler(hello, requestTimeoutMillis);
        ch.attr(HANDLER).set(handler);
        if (tls != null) {
            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), host, port));
        }
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
