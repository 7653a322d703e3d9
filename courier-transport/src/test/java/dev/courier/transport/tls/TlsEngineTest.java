package dev.courier.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TlsEngineTest {
    /** netty-tcnative-boringssl-static's linux-x86_64 library is on the class path and loads on this JDK. */
    @Test
    void openSslLoadsHere() {
        assertThat(TlsEngine.whyNotOpenSsl()).isEmpty();
        assertThat(TlsEngine.best()).isEqualTo(TlsEngine.OPENSSL);
        assertThat(TlsEngine.best().description()).isEqualTo("TLS 1.3 via OpenSSL (BoringSSL)");
    }
}
