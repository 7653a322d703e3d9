package dev.courier.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.courier.protocol.ErrorCode;
import dev.courier.server.CourierServer;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.RawConnection;
import dev.courier.server.testing.TestFiles;
import dev.courier.server.testing.TestServers;
import dev.courier.server.testing.TestTls;
import dev.courier.server.testing.WellBehavedClient;
import dev.courier.server.tls.TlsFiles;
import dev.courier.transport.tls.TestCertificates;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client library over TLS 1.3 against a real server: every kind of request served and verified, and each way
 * TLS can fail told as TLS_FAILED (or TLS_REQUIRED) with what to do, a good client served after each.
 */
class TlsClientTest {
    private static final int FILE_BYTES = 24 << 20;

    @TempDir
    Path dir;

    private final TestCertificates.Ca ca = TestCertificates.newCa("courier test ca");

    private CourierServer start(Path root, TlsFiles tls) throws Exception {
        return CourierServer.start(TestServers.withUploads(root, Files.createDirectories(dir.resolve("uploads")))
                .withTls(tls));
    }

    private ClientConfig trusting(CourierServer server) {
        return ClientConfig.of("127.0.0.1", server.localAddress().getPort())
                .withTls(ClientTls.trusting(ca.writeCertificate(dir.resolve("ca.pem"))));
    }

    private void assertGoodClientServed(CourierServer server) throws IOException {
        WellBehavedClient.assertServedWithinASecond(server.localAddress(), TestTls.trusting(ca.certificate()));
    }

    private static CourierException failureOf(ClientConfig config) {
        try (CourierClient client = new CourierClient(config)) {
            Throwable t = catchThrowable(() -> client.open().point("3", 0.008, 1).join());
            assertThat(t).as("the request over %s", config.address()).isNotNull();
            RuntimeException e = CourierException.unwrap(t);
            assertThat(e).isInstanceOf(CourierException.class);
            return (CourierException) e;
        }
    }

    @Test
    void pointsListingDownloadsAndUploadsOverTlsAreVerified() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        TestFiles.random(root.resolve("big.bin"), FILE_BYTES, 11);
        Path local = TestFiles.random(dir.resolve("up.bin"), 5_000_000, 12);
        try (CourierServer server = start(root, TestTls.files(dir, ca.server()));
             CourierClient client = new CourierClient(trusting(server))) {
            CsvTruth truth = CsvTruth.load();
            try (Connection c = client.open()) {
                assertThat(c.point("3", 0.008, 1).join().value()).isEqualTo(truth.value("3", 2, 1));
                assertThat(c.list("").join()).extracting(DirectoryEntry::name).contains("big.bin");
            }
            for (boolean stream : List.of(true, false)) {
                Path dest = Files.createDirectories(dir.resolve("down-" + stream));
                DownloadResult r = new Downloader(client, DownloadOptions.defaults().withStream(stream)
                        .withConnections(2), (done, total) -> { }).download("big.bin", dest);
                assertThat(Files.mismatch(root.resolve("big.bin"), r.path())).as("stream=%s", stream).isEqualTo(-1);
                assertThat(r.sha256Hex()).isEqualTo(TestFiles.sha256(root.resolve("big.bin")));
            }
            UploadResult up = new Uploader(client, DownloadOptions.defaults(), (done, total) -> { })
                    .upload(local, "up.bin");
            assertThat(up.sha256Hex()).isEqualTo(TestFiles.sha256(local));
        }
    }

    @Test
    void aServerSignedByAnotherCaIsRefusedWithAdviceToGiveTheCa() throws Exception {
        TestCertificates.Ca other = TestCertificates.newCa("other");
        try (CourierServer server = start(dir, TestTls.files(dir, other.server()))) {
            CourierException e = failureOf(trusting(server));
            assertThat(e.code()).isEqualTo(ErrorCode.TLS_FAILED);
            assertThat(e.getMessage()).contains("not signed by a CA this client trusts").contains("--ca FILE");
            WellBehavedClient.assertServedWithinASecond(server.localAddress(), TestTls.trusting(other.certificate()));
        }
    }

    @Test
    void aCertificateForAnotherNameIsRefusedAndAGoodClientStillServed() throws Exception {
        Instant now = Instant.now();
        TestCertificates.Issued localhostOnly = ca.issue("localhost", List.of("localhost"),
                now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)), false);
        try (CourierServer server = start(dir, TestTls.files(dir, localhostOnly))) {
            CourierException e = failureOf(trusting(server)); // dials 127.0.0.1, which the certificate does not list
            assertThat(e.code()).isEqualTo(ErrorCode.TLS_FAILED);
            assertThat(e.getMessage()).contains("not for the address dialled");
            ClientConfig byName = ClientConfig.of("localhost", server.localAddress().getPort())
                    .withTls(trusting(server).tls().orElseThrow());
            try (CourierClient client = new CourierClient(byName); Connection c = client.open()) {
                assertThat(c.ping(7).join()).isEqualTo(7);
            }
        }
    }

    /** A server cannot start with an expired certificate, so a JDK TLS socket plays one. */
    @Test
    void anExpiredServerCertificateIsRefused() throws Exception {
        Instant now = Instant.now();
        TestCertificates.Issued expired = ca.issue("old", List.of("127.0.0.1"), now.minus(Duration.ofDays(30)),
                now.minus(Duration.ofDays(1)), false);
        try (SSLServerSocket peer = serverSocket(expired)) {
            CompletableFuture<Void> handshake = CompletableFuture.runAsync(() -> {
                try (SSLSocket s = (SSLSocket) peer.accept()) {
                    s.startHandshake();
                } catch (IOException expected) {
                    // the client aborts the handshake
                }
            });
            CourierException e = failureOf(ClientConfig.of("127.0.0.1", peer.getLocalPort())
                    .withTls(ClientTls.trusting(ca.writeCertificate(dir.resolve("ca.pem")))));
            assertThat(e.code()).isEqualTo(ErrorCode.TLS_FAILED);
            assertThat(e.getMessage()).contains("has expired");
            handshake.get(10, TimeUnit.SECONDS);
        }
        // The same trust, against a server whose certificate is current: served.
        try (CourierServer server = start(dir, TestTls.files(dir, ca.server()));
             CourierClient client = new CourierClient(trusting(server)); Connection c = client.open()) {
            assertThat(c.ping(9).join()).isEqualTo(9);
        }
    }

    @Test
    void mutualTlsTellsAClientWithoutACertificateOrWithAnotherCasToFixIt() throws Exception {
        TlsFiles files = TestTls.files(dir, ca.server());
        Path clientCa = ca.writeCertificate(dir.resolve("clients.pem"));
        try (CourierServer server = start(dir, new TlsFiles(files.certChain(), files.key(), Optional.of(clientCa)))) {
            ClientConfig base = trusting(server);
            TestCertificates.Issued alice = ca.client("alice");
            ClientConfig withCert = base.withTls(base.tls().orElseThrow().withCertificate(
                    alice.writeChain(dir.resolve("alice.pem")), alice.writeKey(dir.resolve("alice-key.pem"))));
            try (CourierClient client = new CourierClient(withCert); Connection c = client.open()) {
                assertThat(c.ping(42).join()).isEqualTo(42);
            }

            CourierException none = failureOf(base);
            assertThat(none.code()).isEqualTo(ErrorCode.TLS_FAILED);
            assertThat(none.getMessage()).contains("requires a client certificate").contains("--cert FILE --key FILE");

            TestCertificates.Issued mallory = TestCertificates.newCa("mallory's ca").client("mallory");
            CourierException stranger = failureOf(base.withTls(base.tls().orElseThrow().withCertificate(
                    mallory.writeChain(dir.resolve("m.pem")), mallory.writeKey(dir.resolve("m-key.pem")))));
            assertThat(stranger.code()).isEqualTo(ErrorCode.TLS_FAILED);
            // Its CA is not among those the server names, so the client offers no certificate at all.
            assertThat(stranger.getMessage()).contains("requires a client certificate signed by a CA it trusts");

            Instant now = Instant.now();
            TestCertificates.Issued lapsed = ca.issue("lapsed", List.of(), now.minus(Duration.ofDays(30)),
                    now.minus(Duration.ofDays(1)), true);
            CourierException expired = failureOf(base.withTls(base.tls().orElseThrow().withCertificate(
                    lapsed.writeChain(dir.resolve("l.pem")), lapsed.writeKey(dir.resolve("l-key.pem")))));
            assertThat(expired.code()).isEqualTo(ErrorCode.TLS_FAILED);
            assertThat(expired.getMessage()).contains("refused this client's certificate");
            try (CourierClient client = new CourierClient(withCert); Connection c = client.open()) {
                assertThat(c.ping(43).join()).isEqualTo(43);
            }
        }
    }

    @Test
    void aTlsClientToAPlaintextPortIsToldTheServerIsNotTls() throws Exception {
        try (CourierServer server = TestServers.start()) {
            CourierException e = failureOf(ClientConfig.of("127.0.0.1", server.localAddress().getPort())
                    .withTls(ClientTls.systemTrust()));
            assertThat(e.code()).isEqualTo(ErrorCode.TLS_FAILED);
            assertThat(e.getMessage()).contains("does not speak TLS");
            WellBehavedClient.assertServedWithinASecond(server.localAddress());
        }
    }

    @Test
    void aPlaintextClientToATlsPortIsToldTlsIsRequired() throws Exception {
        try (CourierServer server = start(dir, TestTls.files(dir, ca.server()))) {
            CourierException e = failureOf(ClientConfig.of("127.0.0.1", server.localAddress().getPort()));
            assertThat(e.code()).isEqualTo(ErrorCode.TLS_REQUIRED);
            assertThat(e.getMessage()).contains("--tls");
            assertGoodClientServed(server);
        }
    }

    @Test
    void aDownloadOverTheOldPairCompletesWhileNewHandshakesGetTheNewOne() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        TestFiles.random(root.resolve("big.bin"), FILE_BYTES, 21);
        TestCertificates.Issued first = ca.server();
        TlsFiles files = TestTls.files(dir, first);
        try (CourierServer server = start(root, files); CourierClient client = new CourierClient(trusting(server))) {
            CountDownLatch swapped = new CountDownLatch(1);
            CompletableFuture<Void> underway = new CompletableFuture<>();
            // Holds the download after its first bytes until the new pair is in use: it goes on over the old one.
            DownloadProgress holdOnce = (done, total) -> {
                if (done > 0 && done < total && underway.complete(null)) {
                    try {
                        swapped.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            CompletableFuture<DownloadResult> download = CompletableFuture.supplyAsync(() ->
                    new Downloader(client, DownloadOptions.defaults().withConnections(1), holdOnce)
                            .download("big.bin", dir));
            underway.get(20, TimeUnit.SECONDS);
            TestCertificates.Issued second = ca.server();
            Files.move(second.writeKey(dir.resolve("k2.pem")), files.key(), StandardCopyOption.REPLACE_EXISTING);
            Files.move(second.writeChain(dir.resolve("c2.pem")), files.certChain(),
                    StandardCopyOption.REPLACE_EXISTING);
            assertThat(server.tls().orElseThrow().reload()).isTrue();
            try (RawConnection c = RawConnection.tlsHandshaken(server.localAddress(),
                    TestTls.trusting(ca.certificate()))) {
                assertThat(c.peerSerial()).isEqualTo(second.serial()).isNotEqualTo(first.serial());
            }
            swapped.countDown();
            DownloadResult r = download.get(60, TimeUnit.SECONDS);
            assertThat(Files.mismatch(root.resolve("big.bin"), r.path())).isEqualTo(-1);
            assertThat(r.sha256Hex()).isEqualTo(TestFiles.sha256(root.resolve("big.bin")));
        }
    }

    private static SSLServerSocket serverSocket(TestCertificates.Issued identity) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("server", identity.key(), new char[0],
                new Certificate[]{identity.certificate(), identity.issuer()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(kmf.getKeyManagers(), null, null);
        return (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 1,
                new InetSocketAddress("127.0.0.1", 0).getAddress());
    }
}
