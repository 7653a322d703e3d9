package dev.courier.cli;

import dev.courier.client.ClientConfig;
import dev.courier.client.ClientTls;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The client's TLS options, {@code --tls}, {@code --ca FILE} (implies {@code --tls}) and {@code --cert FILE --key
 * FILE} for a server that requires a client certificate, declared once for every client command (a picocli mixin
 * of {@link ClientOptions}).
 */
final class TlsClientOptions {
    @Option(names = "--tls", description = "Speak TLS 1.3, trusting the system's CAs; the server's certificate "
            + "must name the host or address given with --server.")
    boolean tls;

    @Option(names = "--ca", paramLabel = "FILE", description = "Speak TLS 1.3, trusting only the CA certificates "
            + "in this PEM file (a private CA); implies --tls.")
    Path ca;

    @Option(names = "--cert", paramLabel = "FILE", description = "Client certificate chain (PEM) for a server that "
            + "requires one (mutual TLS); needs --key and --tls or --ca.")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE", description = "The client certificate's private key (PEM, "
            + "unencrypted PKCS#8).")
    Path key;

    /**
     * {@code config} with TLS as asked; unchanged when no TLS option is given.
     *
     * @throws IllegalArgumentException when --cert and --key are not given together, or without --tls or --ca
     */
    ClientConfig apply(ClientConfig config) {
        if ((cert == null) != (key == null)) {
            throw new IllegalArgumentException("--cert and --key go together: a certificate needs its key");
        }
        if (!tls && ca == null) {
            if (cert != null) {
                throw new IllegalArgumentException("--cert and --key need --tls or --ca FILE");
            }
            return config;
        }
        ClientTls t = new ClientTls(Optional.ofNullable(ca), Optional.empty(), Optional.empty());
        return config.withTls(cert == null ? t : t.withCertificate(cert, key));
    }
}
