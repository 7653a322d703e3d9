package dev.courier.client;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How a client speaks TLS 1.3 to its server: whom it trusts (the system's trust store, or the CAs of one PEM file)
 * and, for a server that requires one (mutual TLS), the client certificate chain and PKCS#8 key it presents. The
 * server's certificate is always verified against the host name or IP address dialled. Immutable.
 *
 * @param ca   PEM file of the CAs the server's certificate must chain to; empty for the system's trust store
 * @param cert PEM file of the client's certificate chain, leaf first; present exactly when {@code key} is
 * @param key  PEM file of the client certificate's private key, unencrypted PKCS#8
 */
public record ClientTls(Optional<Path> ca, Optional<Path> cert, Optional<Path> key) {
    public ClientTls {
        Objects.requireNonNull(ca, "ca");
        Objects.requireNonNull(cert, "cert");
        Objects.requireNonNull(key, "key");
        if (cert.isPresent() != key.isPresent()) {
            throw new IllegalArgumentException("a client certificate needs its key and a key its certificate "
                    + "(--cert FILE --key FILE)");
        }
    }

    /** Trusts the system's trust store, presents no certificate: a server with a public CA's certificate. */
    public static ClientTls systemTrust() {
        return new ClientTls(Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** Trusts only the CAs in {@code caFile}: a server whose certificate a private CA signed. */
    public static ClientTls trusting(Path caFile) {
        return new ClientTls(Optional.of(caFile), Optional.empty(), Optional.empty());
    }

    /** The same trust, presenting {@code certFile} and {@code keyFile} to a server that requires a certificate. */
    public ClientTls withCertificate(Path certFile, Path keyFile) {
        return new ClientTls(ca, Optional.of(certFile), Optional.of(keyFile));
    }
}
