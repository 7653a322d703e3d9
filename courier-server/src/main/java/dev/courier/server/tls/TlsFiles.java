package dev.courier.server.tls;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a server's TLS comes from: the PEM certificate chain (leaf first) and its PKCS#8 private key, and optionally
 * the PEM CAs whose client certificates it requires (mutual TLS). Every file is re-read when it changes (see
 * {@link ServerTls}). Immutable.
 *
 * @param certChain              the server's certificate, then its intermediates
 * @param key                    the leaf certificate's private key, unencrypted PKCS#8
 * @param clientCa               when present, a client must present a certificate signed by one of these CAs
 * @param handshakeTimeoutMillis from accept to a finished handshake; a peer slower than this (one that stops
 *                               mid-handshake, or never starts) is closed
 */
public record TlsFiles(Path certChain, Path key, Optional<Path> clientCa, long handshakeTimeoutMillis) {
    /** Netty's default: a real client handshakes in milliseconds, a stalled one holds a connection no longer. */
    public static final long DEFAULT_HANDSHAKE_TIMEOUT_MILLIS = 10_000;

    public TlsFiles {
        Objects.requireNonNull(certChain, "certChain");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(clientCa, "clientCa (Optional.empty() for no client certificates)");
        if (handshakeTimeoutMillis < 1) {
            throw new IllegalArgumentException("handshakeTimeoutMillis must be positive: " + handshakeTimeoutMillis);
        }
    }

    /** The default handshake timeout. */
    public TlsFiles(Path certChain, Path key, Optional<Path> clientCa) {
        this(certChain, key, clientCa, DEFAULT_HANDSHAKE_TIMEOUT_MILLIS);
    }

    public TlsFiles withHandshakeTimeoutMillis(long millis) {
        return new TlsFiles(certChain, key, clientCa, millis);
    }

    /** The files to watch for a change. */
    public List<Path> all() {
        return clientCa.map(ca -> List.of(certChain, key, ca)).orElseGet(() -> List.of(certChain, key));
    }
}
