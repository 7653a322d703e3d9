package dev.courier.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.client.Backoff;
import dev.courier.client.ClientConfig;
import dev.courier.client.CourierClient;
import dev.courier.client.DownloadOptions;
import dev.courier.client.DownloadResult;
import dev.courier.client.Downloader;
import dev.courier.client.Point;
import dev.courier.client.ResilientConnection;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.TestFiles;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client given several endpoints ({@code --server a:p,b:p}) against real server processes: it goes on to the next
 * one when the first refuses, and a download whose server is SIGKILLed completes through the other, verified.
 */
class SeveralEndpointsTest {
    static final long SIZE = 96L << 20;

    @TempDir
    static Path served;
    static String expectedSha;

    @BeforeAll
    static void files() throws Exception {
        TestFiles.random(served.resolve("big.bin"), SIZE, 161);
        expectedSha = TestFiles.sha256(served.resolve("big.bin"));
    }

    static CourierProcess node() throws Exception {
        return CourierProcess.server("--port", "0", "--data", CsvTruth.dataDir().toString(), "--files",
                served.toString());
    }

    /** A loopback port where nothing listens now: bound by the kernel's choice, then released. */
    static int deadPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void whenTheFirstEndpointRefusesTheSecondServesCorrectAnswers() throws Exception {
        CsvTruth truth = CsvTruth.load();
        try (CourierProcess second = node()) {
            String servers = "127.0.0.1:" + deadPort() + ",127.0.0.1:" + ProcessFaultsTest.portOf(second);
            try (CourierClient client = new CourierClient(ClientConfig.parse(servers));
                 ResilientConnection points = new ResilientConnection(client, 20_000, new Backoff(10, 200))) {
                for (int i = 0; i < 200; i++) {
                    String record = String.valueOf(1 + i % 15);
                    Point p = points.point(record, i * 0.004, 1).get(30, TimeUnit.SECONDS);
                    assertThat(p.value()).isEqualTo(truth.value(record, i, 1));
                }
            }
        }
    }

    @Test
    void theCliGetsThroughTheSecondEndpointWhenTheFirstRefuses(@TempDir Path dest) throws Exception {
        try (CourierProcess second = node()) {
            String servers = deadPort() + "," + ProcessFaultsTest.portOf(second); // PORT alone: 127.0.0.1
            try (CourierProcess get = CourierProcess.start("get", "--server", servers, "big.bin", "-o",
                    dest.toString())) {
                assertThat(get.waitFor(120)).as(String.join("\n", get.output())).isZero();
            }
            assertThat(TestFiles.sha256(dest.resolve("big.bin"))).isEqualTo(expectedSha);
        }
    }

    @Test
    void everyEndpointRefusingFailsAtOnceWithConnectionFailed(@TempDir Path dest) throws Exception {
        String servers = deadPort() + "," + deadPort();
        try (CourierProcess get = CourierProcess.start("get", "--server", servers, "big.bin", "-o",
                dest.toString())) {
            assertThat(get.waitFor(60)).isEqualTo(3);
            get.awaitLine(l -> l.startsWith("err: courier: CONNECTION_FAILED"), 5);
        }
    }

    @Test
    void aDownloadWhoseServerIsKilledCompletesThroughTheOtherEndpoint(@TempDir Path dest) throws Exception {
        try (CourierProcess first = node(); CourierProcess second = node()) {
            String servers = "127.0.0.1:" + ProcessFaultsTest.portOf(first) + ",127.0.0.1:"
                    + ProcessFaultsTest.portOf(second);
            CompletableFuture<Void> third = new CompletableFuture<>();
            DownloadOptions options = DownloadOptions.defaults().withConnections(4).withReadsPerConnection(2)
                    .withStallTimeoutMillis(30_000).withBackoff(new Backoff(20, 300));
            try (CourierClient client = new CourierClient(ClientConfig.parse(servers));
                 ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                Downloader d = new Downloader(client, options, (done, total) -> {
                    if (done >= total / 3) {
                        third.complete(null);
                    }
                });
                Future<DownloadResult> result = pool.submit(() -> d.download("big.bin", dest));
                third.get(60, TimeUnit.SECONDS);
                first.kill(); // the endpoint every lane is on (pick-first): the rest can only come from the second
                DownloadResult r = result.get(120, TimeUnit.SECONDS);
                assertThat(TestFiles.sha256(r.path())).isEqualTo(expectedSha);
                assertThat(r.fetchedBytes()).isGreaterThanOrEqualTo(SIZE);
            }
        }
    }
}
