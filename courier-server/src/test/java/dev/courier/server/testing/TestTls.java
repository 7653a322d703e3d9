package dev.courier.server.testing;

import dev.courier.server.tls.TlsFiles;
import dev.courier.transport.tls.TestCertificates;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for server tests: a server's certificate files written where a {@link TlsFiles} points, and JDK client socket
 * factories (TLS 1.3) that trust a given CA and present a given client certificate, for {@link RawConnection#tls}.
 */
public final class TestTls {
    private static final char[] NO_PASSWORD = new char[0];

    private TestTls() {
    }

    /** Writes {@code server}'s chain and key into {@code dir} as cert.pem and key.pem. */
    public static TlsFiles files(Path dir, TestCertificates.Issued server) {
        return new TlsFiles(server.writeChain(dir.resolve("cert.pem")), server.writeKey(dir.resolve("key.pem")),
                Optional.empty());
    }

    /** A client that trusts {@code ca} only and presents no certificate. */
    public static SSLSocketFactory trusting(X509Certificate ca) {
        return client(ca, null);
    }

    /** A client that trusts {@code ca} only and presents {@code clientCertificate} (null for none). */
    public static SSLSocketFactory client(X509Certificate ca, TestCertificates.Issued clientCertificate) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", ca);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManagerFactory kmf = null;
            if (clientCertificate != null) {
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                keys.setKeyEntry("client", clientCertificate.key(), NO_PASSWORD,
                        new Certificate[]{clientCertificate.certificate(), clientCertificate.issuer()});
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, NO_PASSWORD);
            }
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
