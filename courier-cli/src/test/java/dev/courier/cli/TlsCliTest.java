package dev.courier.cli;

import static dev.courier.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.cli.common.ExitCodes;
import dev.courier.server.CourierServer;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.TestFiles;
import dev.courier.server.testing.TestServers;
import dev.courier.server.testing.TestTls;
import dev.courier.transport.tls.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client commands over TLS as a user types them: --ca, --tls, --cert/--key, and the errors they print. */
class TlsCliTest {
    @TempDir
    Path dir;

    @Test
    void pointsLsGetAndPutWorkOverTlsWithTheCa() throws Exception {
        TestCertificates.Ca ca = TestCertificates.newCa("cli ca");
        Path root = Files.createDirectories(dir.resolve("root"));
        TestFiles.random(root.resolve("f.bin"), 3_000_000, 5);
        Path local = TestFiles.random(dir.resolve("up.bin"), 700_000, 6);
        String caFile = ca.writeCertificate(dir.resolve("ca.pem")).toString();
        try (CourierServer server = CourierServer.start(TestServers.withUploads(root,
                Files.createDirectories(dir.resolve("uploads"))).withTls(TestTls.files(dir, ca.server())))) {
            String address = "127.0.0.1:" + server.localAddress().getPort();
            CliRun point = run("point", "-s", address, "--ca", caFile, "3", "0.008", "1");
            assertThat(point.exitCode()).as(point.err()).isZero();
            assertThat(point.out().strip()).isEqualTo(CsvTruth.load().value("3", 2, 1) + " 2 0.008");
            CliRun points = run("points", "-s", address, "--ca", caFile, "--records", "1-2", "--count", "100");
            assertThat(points.exitCode()).as(points.err()).isZero();
            CliRun ls = run("ls", "-s", address, "--ca", caFile);
            assertThat(ls.out()).contains(" f.bin\n");
            for (String mode : new String[]{"--stream", "--no-stream"}) {
                Path dest = Files.createDirectories(dir.resolve("down" + mode));
                CliRun get = run("get", "-s", address, "--ca", caFile, "f.bin", "-o", dest.toString(), mode);
                assertThat(get.exitCode()).as(get.err()).isZero();
                assertThat(Files.mismatch(root.resolve("f.bin"), dest.resolve("f.bin"))).isEqualTo(-1);
            }
            CliRun put = run("put", "-s", address, "--ca", caFile, local.toString(), "up.bin");
            assertThat(put.exitCode()).as(put.err()).isZero();
            assertThat(Files.mismatch(local, dir.resolve("uploads").resolve("up.bin"))).isEqualTo(-1);

            CliRun plaintext = run("ls", "-s", address);
            assertThat(plaintext.exitCode()).isEqualTo(ExitCodes.FAILED);
            assertThat(plaintext.err()).startsWith("courier: TLS_REQUIRED: ").contains("--tls");
            CliRun untrusted = run("ls", "-s", address, "--tls");
            assertThat(untrusted.err()).startsWith("courier: TLS_FAILED: ").contains("--ca FILE");
        }
    }
}
