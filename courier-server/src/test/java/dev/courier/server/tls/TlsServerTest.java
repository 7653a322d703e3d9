package dev.courier.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Hello;
import dev.courier.protocol.Message;
import dev.courier.server.CourierServer;
import dev.courier.server.files.ChunkBody;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.LogCapture;
import dev.courier.server.testing.RawConnection;
import dev.courier.server.testing.TestServers;
import dev.courier.server.testing.TestTls;
import dev.courier.server.testing.WellBehavedClient;
import dev.courier.transport.tls.TestCertificates;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main port under TLS 1.3: real handshakes on loopback with certificates made here. */
class TlsServerTest {
    @TempDir
    Path dir;

    private final TestCertificates.Ca ca = TestCertificates.newCa("courier test ca");

    private CourierServer start(TlsFiles files) throws Exception {
        return CourierServer.start(TestServers.config(CsvTruth.dataDir()).withTls(files));
    }

    @Test
    void aClientTrustingTheCaIsServedAndSeesTheServersCertificate() throws Exception {
        TestCertificates.Issued cert = ca.server();
        try (CourierServer server = start(TestTls.files(dir, cert));
             RawConnection c = RawConnection.tlsHandshaken(server.localAddress(),
                     TestTls.trusting(ca.certificate()))) {
            assertThat(c.peerSerial()).isEqualTo(cert.serial());
            WellBehavedClient.assertServed(c, 3);
            assertThat(server.tls().orElseThrow().engineDescription()).startsWith("TLS 1.3 via OpenSSL");
        }
    }

    @Test
    void aTlsConnectionIsOfferedChunksOfAtMostOneMebibyte() throws Exception {
        try (CourierServer server = start(TestTls.files(dir, ca.server()));
             RawConnection c = RawConnection.tls(server.localAddress(), TestTls.trusting(ca.certificate()))) {
            c.send(new Hello(0, FrameDescriptor.VERSION, 16 << 20, 8 << 20));
            assertThat(c.receive()).isInstanceOfSatisfying(Hello.class, h -> assertThat(h.maxChunkBytes())
                    .isEqualTo(ChunkBody.COPY_MAX_CHUNK_BYTES).isLessThan(server.config().maxChunkBytes()));
        }
    }

    @Test
    void aClientOfAnotherCaIsRefusedAndATrustingOneStillServed() throws Exception {
        try (CourierServer server = start(TestTls.files(dir, ca.server()))) {
            SSLSocketFactory stranger = TestTls.trusting(TestCertificates.newCa("another ca").certificate());
            assertThatThrownBy(() -> RawConnection.tls(server.localAddress(), stranger))
                    .isInstanceOf(IOException.class).hasMessageContaining("PKIX");
            WellBehavedClient.assertServedWithinASecond(server.localAddress(), TestTls.trusting(ca.certificate()));
        }
    }

    @Test
    void aPlaintextHelloIsAnsweredWithTlsRequiredInPlaintextThenClosed() throws Exception {
        try (CourierServer server = start(TestTls.files(dir, ca.server()));
             RawConnection plain = new RawConnection(server.localAddress())) {
            plain.send(new Hello(0, FrameDescriptor.VERSION, 16 << 20, 8 << 20));
            Message m = plain.receive();
            assertThat(m).isInstanceOfSatisfying(ErrorReply.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.TLS_REQUIRED);
                assertThat(e.requestId()).isZero();
                assertThat(e.message()).contains("--tls");
            });
            assertThat(plain.closedByServer()).isTrue();
            WellBehavedClient.assertServedWithinASecond(server.localAddress(), TestTls.trusting(ca.certificate()));
        }
    }

    @Test
    void aPeerThatStopsMidHandshakeOrNeverStartsIsClosedByTheTimeout() throws Exception {
        long timeoutMillis = 300;
        try (CourierServer server = start(TestTls.files(dir, ca.server()).withHandshakeTimeoutMillis(timeoutMillis));
             RawConnection midway = new RawConnection(server.localAddress());
             RawConnection silent = new RawConnection(server.localAddress())) {
            // A TLS record header announcing a 512-byte ClientHello, and only a few of its bytes.
            midway.sendRaw(new byte[]{0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc});
            long start = System.nanoTime();
            assertThat(midway.closedByServer()).isTrue();
            assertThat(silent.closedByServer()).isTrue();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(millis).as("closed by the handshake timeout, not the 10 s read timeout").isLessThan(5_000);
            WellBehavedClient.assertServedWithinASecond(server.localAddress(), TestTls.trusting(ca.certificate()));
        }
    }

    @Test
    void mutualTlsServesAClientCertificateOfTheCaOnly() throws Exception {
        TlsFiles files = TestTls.files(dir, ca.server());
        Path clientCa = ca.writeCertificate(dir.resolve("clients.pem"));
        try (CourierServer server = start(new TlsFiles(files.certChain(), files.key(), Optional.of(clientCa)))) {
            InetSocketAddress address = server.localAddress();
            SSLSocketFactory withCert = TestTls.client(ca.certificate(), ca.client("alice"));
            SSLSocketFactory withoutCert = TestTls.trusting(ca.certificate());
            SSLSocketFactory otherCa = TestTls.client(ca.certificate(),
                    TestCertificates.newCa("mallory's ca").client("mallory"));
            // TLS 1.3: the client's handshake ends before the server checks its certificate, so the refusal (an
            // alert, then the close) shows on the first read.
            for (SSLSocketFactory refused : List.of(withoutCert, otherCa)) {
                assertThatThrownBy(() -> RawConnection.tlsHandshaken(address, refused))
                        .isInstanceOf(IOException.class);
                WellBehavedClient.assertServedWithinASecond(address, withCert);
            }
        }
    }

    @Test
    void aBadNewPairIsLoggedAndTheOldKeptAndAGoodOneIsPickedUpWhenTheFilesChange() throws Exception {
        TestCertificates.Issued first = ca.server();
        TlsFiles files = TestTls.files(dir, first);
        SSLSocketFactory client = TestTls.trusting(ca.certificate());
        try (CourierServer server = start(files); LogCapture log = LogCapture.of(ServerTls.class)) {
            ServerTls tls = server.tls().orElseThrow();
            // A new certificate whose key is another's: refused, the old pair kept.
            var badReload = tls.nextReload();
            swap(ca.server().writeChain(dir.resolve("next-cert.pem")), files.certChain());
            assertThat(badReload.get(10, TimeUnit.SECONDS)).isFalse();
            assertThat(log.lines()).anySatisfy(l -> {
                assertThat(l.level()).isEqualTo(Level.ERROR);
                assertThat(l.message()).contains("does not belong to the certificate");
            });
            try (RawConnection c = RawConnection.tlsHandshaken(server.localAddress(), client)) {
                assertThat(c.peerSerial()).isEqualTo(first.serial());
            }
            // An unparsable key: refused too.
            Files.writeString(dir.resolve("junk.pem"), "-----BEGIN PRIVATE KEY-----\n!!\n-----END PRIVATE KEY-----\n");
            swap(dir.resolve("junk.pem"), files.key());
            assertThat(tls.reload()).isFalse();
            // A good pair: the watcher may see the key alone first (a bad pair), so this reload, after both are
            // in place, is the one that must take.
            TestCertificates.Issued second = ca.server();
            swap(second.writeKey(dir.resolve("next-key.pem")), files.key());
            swap(second.writeChain(dir.resolve("next-cert.pem")), files.certChain());
            assertThat(tls.reload()).isTrue();
            assertThat(tls.identity().leaf().getSerialNumber()).isEqualTo(second.serial());
            try (RawConnection c = RawConnection.tlsHandshaken(server.localAddress(), client)) {
                assertThat(c.peerSerial()).isEqualTo(second.serial());
                WellBehavedClient.assertServed(c, 5);
            }
        }
    }

    @Test
    void anExpiredCertificateIsRefusedAtStartUp() {
        Instant now = Instant.now();
        TestCertificates.Issued expired = ca.issue("old", List.of("127.0.0.1"), now.minus(Duration.ofDays(30)),
                now.minus(Duration.ofDays(1)), false);
        assertThatThrownBy(() -> start(TestTls.files(dir, expired)))
                .isInstanceOf(IOException.class).hasMessageContaining("expired");
    }

    @Test
    void aCertificateExpiringWithinFourteenDaysIsWarnedAboutAtStartUp() throws Exception {
        Instant now = Instant.now();
        TestCertificates.Issued soon = ca.issue("soon", List.of("127.0.0.1"), now.minus(Duration.ofDays(80)),
                now.plus(Duration.ofDays(3)), false);
        try (LogCapture log = LogCapture.of(ServerTls.class); CourierServer server = start(TestTls.files(dir, soon))) {
            assertThat(log.lines()).anySatisfy(l -> {
                assertThat(l.level()).isEqualTo(Level.WARN);
                assertThat(l.message()).contains("expires in 2 days");
            });
            WellBehavedClient.assertServedWithinASecond(server.localAddress(), TestTls.trusting(ca.certificate()));
        }
    }

    @Test
    void aReadOverTlsIsTheFilesBytes() throws Exception {
        Path root = Files.createDirectory(dir.resolve("root"));
        byte[] data = new byte[300_000];
        new Random(13).nextBytes(data);
        Files.write(root.resolve("f.bin"), data);
        try (CourierServer server = CourierServer.start(TestServers.config(root).withTls(TestTls.files(dir,
                ca.server())))) {
            WellBehavedClient.assertReadServed(server.localAddress(), TestTls.trusting(ca.certificate()), "f.bin",
                    data);
        }
    }

    /** Replaces {@code target} by {@code source} in one rename, as a rotation (or Kubernetes) does. */
    private static void swap(Path source, Path target) throws IOException {
        Files.move(source, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
