package dev.courier.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsIdentityTest {
    @TempDir
    Path dir;

    @Test
    void loadsAChainAndTheKeyOfItsLeaf() throws IOException {
        TestCertificates.Issued server = TestCertificates.newCa("ca").server();
        TlsIdentity id = TlsIdentity.load(server.writeChain(dir.resolve("cert.pem")),
                server.writeKey(dir.resolve("key.pem")));
        assertThat(id.chain()).containsExactly(server.certificate(), server.issuer());
        assertThat(id.key().getEncoded()).isEqualTo(server.key().getEncoded());
        assertThat(id.describe()).contains("serial " + server.serial().toString(16));
    }

    @Test
    void refusesAKeyThatIsNotTheCertificates() {
        TestCertificates.Ca ca = TestCertificates.newCa("ca");
        Path cert = ca.server().writeChain(dir.resolve("cert.pem"));
        Path otherKey = ca.server().writeKey(dir.resolve("key.pem"));
        assertThatThrownBy(() -> TlsIdentity.load(cert, otherKey))
                .isInstanceOf(IOException.class).hasMessageContaining("does not belong to the certificate");
    }

    @Test
    void refusesAnOldFormatKeyWithTheCommandThatConvertsIt() throws IOException {
        Path cert = TestCertificates.newCa("ca").server().writeChain(dir.resolve("cert.pem"));
        Path key = Files.writeString(dir.resolve("key.pem"), "-----BEGIN EC PRIVATE KEY-----\nAAAA\n"
                + "-----END EC PRIVATE KEY-----\n");
        assertThatThrownBy(() -> TlsIdentity.load(cert, key))
                .isInstanceOf(IOException.class).hasMessageContaining("PKCS#1/SEC1")
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    }

    @Test
    void refusesAFileThatHoldsNoCertificate() throws IOException {
        Path junk = Files.writeString(dir.resolve("cert.pem"), "not a certificate\n");
        assertThatThrownBy(() -> PemFiles.certificates(junk))
                .isInstanceOf(IOException.class).hasMessageContaining(junk.toString());
    }
}
