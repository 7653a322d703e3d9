package dev.courier.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Hello;
import dev.courier.protocol.PointReply;
import dev.courier.protocol.PointRequest;
import dev.courier.protocol.Secret;
import dev.courier.server.auth.NewToken;
import dev.courier.server.auth.Scope;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.RawConnection;
import dev.courier.server.testing.TestTls;
import dev.courier.server.testing.WellBehavedClient;
import dev.courier.transport.tls.TestCertificates;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code courier serve} as a real process: a non-loopback bind without TLS and --auth is refused in one line with
 * exit 2, with both it serves tokens over TLS only, --insecure serves anyway, the legacy port stays on loopback unless --legacy-bind moves it (with a
 * warning), and what the server prints never holds a token.
 */
class ExposureProcessTest {
    /** The main port in the "serving" line; a wildcard bind prints as 0.0.0.0 or as IPv6's 0:0:0:0:0:0:0:0. */
    private static final Pattern SERVING = Pattern.compile(" on (\\S+):([0-9]+)[ ,]");
    private static final Pattern LEGACY = Pattern.compile("legacy protocol on (\\S+):([0-9]+)[ ,]");
    private static final List<String> WILDCARD = List.of("0.0.0.0", "0:0:0:0:0:0:0:0");

    @TempDir
    Path dir;

    private static int port(String line, Pattern p) {
        Matcher m = p.matcher(line);
        assertThat(m.find()).as(line).isTrue();
        return Integer.parseInt(m.group(2));
    }

    /** The "serving" line, which {@link CourierProcess#server} has already waited for. */
    private static String servingLine(CourierProcess p) {
        return p.output().stream().filter(l -> l.startsWith("out: courier: serving")).findFirst().orElseThrow();
    }

    @Test
    void aNonLoopbackBindWithoutTlsAndAuthIsRefusedInOneLineWithExitTwo() throws Exception {
        try (CourierProcess p = CourierProcess.start("serve", "--bind", "0.0.0.0", "--port", "0",
                "--data", CsvTruth.dataDir().toString())) {
            assertThat(p.waitFor(90)).isEqualTo(2);
            List<String> out = p.output();
            assertThat(out).hasSize(1);
            assertThat(out.get(0)).startsWith("err: courier: refusing to listen on 0.0.0.0: a non-loopback address "
                    + "needs both TLS (--tls-cert, --tls-key) and --auth, and both are off");
        }
    }

    @Test
    void withAuthAloneANonLoopbackBindIsStillRefusedSayingTlsIsOff() throws Exception {
        Path tokens = Files.writeString(dir.resolve("tokens"), "");
        try (CourierProcess p = CourierProcess.start("serve", "--bind", "0.0.0.0", "--port", "0",
                "--auth", tokens.toString(), "--data", CsvTruth.dataDir().toString())) {
            assertThat(p.waitFor(90)).isEqualTo(2);
            assertThat(p.output()).singleElement().asString().contains("TLS is off");
        }
    }

    @Test
    void withTlsAndAuthANonLoopbackBindServesTokensOverTlsAndRefusesTheRest() throws Exception {
        TestCertificates.Ca ca = TestCertificates.newCa("exposure test CA");
        TestCertificates.Issued cert = ca.server();
        Path chain = cert.writeChain(dir.resolve("server.pem"));
        Path key = cert.writeKey(dir.resolve("server.key"));
        NewToken reader = NewToken.create("reader", Set.of(Scope.POINTS));
        Path tokens = Files.write(dir.resolve("tokens"), List.of(reader.line()));
        try (CourierProcess p = CourierProcess.start("serve", "--bind", "0.0.0.0", "--port", "0",
                "--tls-cert", chain.toString(), "--tls-key", key.toString(), "--auth", tokens.toString(),
                "--data", CsvTruth.dataDir().toString())) {
            String serving = p.awaitLine(l -> l.startsWith("out: courier: serving"), 90);
            assertThat(serving).contains("tokens from").contains("TLS 1.3");
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", port(serving, SERVING));
            SSLSocketFactory trusting = TestTls.trusting(ca.certificate());
            double expected = CsvTruth.load().value("3", 2, 1);
            try (RawConnection c = RawConnection.tls(address, trusting)) {
                c.send(new Hello(0, FrameDescriptor.VERSION, 16 << 20, 8 << 20).withToken(reader.token()));
                assertThat(c.receive()).isInstanceOf(Hello.class);
                c.send(new PointRequest(7, "3", 0.008, 1));
                assertThat(((PointReply) c.receive()).value()).isEqualTo(expected);
            }
            // TLS without a token: the handshake succeeds, the point is refused.
            try (RawConnection c = RawConnection.tlsHandshaken(address, trusting)) {
                c.send(new PointRequest(8, "3", 0.008, 1));
                assertThat(((ErrorReply) c.receive()).code()).isEqualTo(ErrorCode.AUTH_REQUIRED);
            }
            // A token in the clear: refused before any HELLO is read.
            try (RawConnection c = new RawConnection(address)) {
                c.send(new Hello(0, FrameDescriptor.VERSION, 16 << 20, 8 << 20).withToken(reader.token()));
                assertThat(((ErrorReply) c.receive()).code()).isEqualTo(ErrorCode.TLS_REQUIRED);
            }
        }
    }

    @Test
    void insecureServesOnANonLoopbackAddressAndKeepsTheLegacyPortOnLoopback() throws Exception {
        try (CourierProcess p = CourierProcess.start("serve", "--bind", "0.0.0.0", "--port", "0", "--insecure",
                "--legacy-port", "0", "--data", CsvTruth.dataDir().toString())) {
            String serving = p.awaitLine(l -> l.startsWith("out: courier: serving"), 90);
            Matcher main = SERVING.matcher(serving);
            assertThat(main.find()).as(serving).isTrue();
            assertThat(main.group(1)).isIn(WILDCARD);
            Matcher legacy = LEGACY.matcher(serving);
            assertThat(legacy.find()).as(serving).isTrue();
            assertThat(legacy.group(1)).isEqualTo("127.0.0.1");
            assertThat(p.output().stream().filter(l -> l.contains("warning"))).singleElement().asString()
                    .startsWith("err: courier: warning: --insecure: serving on 0.0.0.0 without TLS and --auth");
            WellBehavedClient.assertServedWithinASecond(new InetSocketAddress("127.0.0.1", port(serving, SERVING)));
        }
    }

    @Test
    void legacyBindOffLoopbackWarns() throws Exception {
        try (CourierProcess p = CourierProcess.server("--port", "0", "--legacy-port", "0", "--legacy-bind",
                "0.0.0.0", "--data", CsvTruth.dataDir().toString())) {
            String serving = servingLine(p);
            Matcher legacy = LEGACY.matcher(serving);
            assertThat(legacy.find()).as(serving).isTrue();
            assertThat(legacy.group(1)).isIn(WILDCARD);
            assertThat(p.output()).anyMatch(l -> l.startsWith("err: courier: warning: the legacy protocol listens "
                    + "on 0.0.0.0"));
            WellBehavedClient.assertServedWithinASecond(new InetSocketAddress("127.0.0.1", port(serving, SERVING)));
        }
    }

    @Test
    void nothingTheServerPrintsHoldsAToken() throws Exception {
        NewToken good = NewToken.create("good", Set.of(Scope.POINTS));
        Secret wrong = NewToken.create("wrong", Set.of(Scope.POINTS)).token();
        Path tokens = Files.write(dir.resolve("tokens"), List.of(good.line()));
        try (CourierProcess p = CourierProcess.server("--port", "0", "--auth", tokens.toString(),
                "--data", CsvTruth.dataDir().toString())) {
            String serving = servingLine(p);
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", port(serving, SERVING));
            for (int i = 0; i < 3; i++) {
                try (RawConnection c = new RawConnection(address)) {
                    c.send(new Hello(0, FrameDescriptor.VERSION, 16 << 20, 8 << 20).withToken(wrong));
                    assertThat(((ErrorReply) c.receive()).code()).isEqualTo(ErrorCode.AUTH_FAILED);
                }
            }
            WellBehavedClient.assertServedWithinASecond(address, good.token());
            p.awaitLine(l -> l.contains("authentication failed from 127.0.0.1: unknown token"), 30);
            p.terminate();
            p.waitFor(60);
            assertThat(p.output()).noneMatch(l -> l.contains(wrong.value()) || l.contains(good.token().value()));
        }
    }
}
