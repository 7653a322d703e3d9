package dev.courier.transport.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * The one place that builds Courier's {@link SslContext}s, for both sides, so they agree: TLS 1.3 only, the engine
 * of {@link TlsEngine#best()} (or one given), the engine's default cipher suites (TLS 1.3's three AEADs). A client
 * verifies the server's certificate against the host name or IP address it dialled (endpoint identification
 * "HTTPS": the certificate's subject alternative names); a server given client CAs requires a client certificate
 * signed by one of them (mutual TLS). Contexts are immutable and shared by every connection; stateless.
 */
public final class TlsContexts {
    /** The one protocol Courier speaks: no downgrade to 1.2 and its weaker suites to argue about. */
    public static final String PROTOCOL = "TLSv1.3";

    private TlsContexts() {
    }

    /**
     * A server's context.
     *
     * @param identity  the certificate chain and key it presents
     * @param clientCas when present, the CAs a client certificate must chain to; the certificate is then required
     */
    public static SslContext server(TlsEngine engine, TlsIdentity identity, Optional<List<X509Certificate>> clientCas)
            throws IOException {
        SslContextBuilder b = SslContextBuilder.forServer(identity.key(), identity.chain())
                .sslProvider(engine.provider())
                .protocols(PROTOCOL);
        clientCas.ifPresent(cas -> b.trustManager(cas).clientAuth(ClientAuth.REQUIRE));
        return build(b);
    }

    /**
     * A client's context.
     *
     * @param cas      the CAs the server's certificate must chain to; empty for the system's trust store (the JDK's
     *                 {@code cacerts})
     * @param identity when present, the client certificate and key for a server that requires one
     */
    public static SslContext client(TlsEngine engine, Optional<List<X509Certificate>> cas,
                                    Optional<TlsIdentity> identity) throws IOException {
        SslContextBuilder b = SslContextBuilder.forClient()
                .sslProvider(engine.provider())
                .protocols(PROTOCOL)
                .endpointIdentificationAlgorithm("HTTPS");
        cas.ifPresent(b::trustManager);
        identity.ifPresent(id -> b.keyManager(id.key(), id.chain()));
        return build(b);
    }

    private static SslContext build(SslContextBuilder b) throws IOException {
        try {
            return b.build();
        } catch (SSLException e) {
            throw new IOException("cannot set up TLS: " + e.getMessage(), e);
        }
    }
}
