package dev.courier.transport.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

/**
 * Which TLS implementation this process uses: OpenSSL (BoringSSL, from {@code netty-tcnative-boringssl-static})
 * where its native library loads, the JDK's {@code SSLEngine} everywhere else. Both sides choose with {@link #best()},
 * as {@code Transport.best()} chooses epoll, so a machine without the native library still speaks TLS, only slower.
 */
public enum TlsEngine {
    OPENSSL(SslProvider.OPENSSL, "TLS 1.3 via OpenSSL (BoringSSL)"),
    JDK(SslProvider.JDK, "TLS 1.3 via the JDK");

    private final SslProvider provider;
    private final String description;

    TlsEngine(SslProvider provider, String description) {
        this.provider = provider;
        this.description = description;
    }

    /** OpenSSL when {@link OpenSsl#isAvailable()} (the native library loaded) and it has TLS 1.3, else the JDK. */
    public static TlsEngine best() {
        return OpenSsl.isAvailable() && SslProvider.isTlsv13Supported(SslProvider.OPENSSL) ? OPENSSL : JDK;
    }

    /** Why OpenSSL is not in use, for the log; empty when it is. */
    public static String whyNotOpenSsl() {
        Throwable cause = OpenSsl.unavailabilityCause();
        if (cause != null) {
            return cause.toString();
        }
        return SslProvider.isTlsv13Supported(SslProvider.OPENSSL) ? "" : "the OpenSSL library loaded has no TLS 1.3";
    }

    SslProvider provider() {
        return provider;
    }

    /** One line for the start-up log: "TLS 1.3 via OpenSSL (BoringSSL)" or "TLS 1.3 via the JDK". */
    public String description() {
        return description;
    }
}
