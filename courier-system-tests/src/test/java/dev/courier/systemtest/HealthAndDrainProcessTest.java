package dev.courier.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.client.ClientConfig;
import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.server.testing.CsvTruth;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The operations port of a real {@code courier serve --metrics} process, through the JDK's HTTP client: /health and
 * /ready while serving, and the SIGTERM order a load balancer needs: /ready turns 503 at once while the Courier port
 * goes on answering PINGs, old and new connections alike, for the whole --drain-delay; only then the drain.
 */
class HealthAndDrainProcessTest {
    private static final long DRAIN_DELAY_MILLIS = 4_000;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();


    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void pings(Connection c, long token) throws Exception {
        assertThat(c.ping(token).get(10, TimeUnit.SECONDS)).isEqualTo(token);
    }

    @Test
    void readyTurns503OnSigtermWhileTheCourierPortKeepsAnsweringForTheDrainDelay() throws Exception {
        try (CourierProcess server = CourierProcess.server("--port", "0", "--data", CsvTruth.dataDir().toString(),
                "--metrics", "127.0.0.1:0", "--drain-delay", DRAIN_DELAY_MILLIS + "ms")) {
            int port = ProcessFaultsTest.portOf(server);
            int ops = server.operationsPort();
            assertThat(ops).isNotEqualTo(port);
            HttpResponse<String> health = get(ops, "/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).isEqualTo("ok");
            HttpResponse<String> ready = get(ops, "/ready");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo("ready");
            assertThat(get(ops, "/metricz").statusCode()).isEqualTo(404);
            assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ops + "/ready"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(405);

            try (CourierClient client = new CourierClient(ClientConfig.of("127.0.0.1", port))) {
                Connection before = client.connect().get(10, TimeUnit.SECONDS);
                pings(before, 1);

                long sigtermNanos = System.nanoTime();
                server.terminate();
                server.awaitLine(l -> l.startsWith("err: courier: not ready"), 30);
                HttpResponse<String> draining = get(ops, "/ready");
                assertThat(draining.statusCode()).isEqualTo(503);
                assertThat(draining.body()).isEqualTo("draining");
                assertThat(get(ops, "/health").statusCode()).as("alive while draining").isEqualTo(200);
                // Not ready, yet still serving normally: the connection it had and a new one both answer.
                pings(before, 2);
                Connection after = client.connect().get(10, TimeUnit.SECONDS);
                pings(after, 3);
                long answeredMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigtermNanos);
                assertThat(answeredMillis).as("the checks above ran within the delay, or they prove nothing")
                        .isLessThan(DRAIN_DELAY_MILLIS);

                server.awaitLine(l -> l.equals("err: courier: stopped"), 60);
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigtermNanos))
                        .as("the drain waited for the delay").isGreaterThanOrEqualTo(DRAIN_DELAY_MILLIS);
                assertThat(server.waitFor(30)).isEqualTo(143);
            }
        }
    }

    @Test
    void aBadMetricsAddressOrDrainDelayIsRefusedNamingTheOption() throws Exception {
        try (CourierProcess bad = CourierProcess.start("serve", "--port", "0", "--metrics", "127.0.0.1:http")) {
            assertThat(bad.waitFor(60)).isEqualTo(2);
            assertThat(String.join("\n", bad.output())).contains("--metrics must be HOST:PORT");
        }
        try (CourierProcess bad = CourierProcess.start("serve", "--port", "0", "--drain-delay", "5 parsecs")) {
            assertThat(bad.waitFor(60)).isEqualTo(2);
            assertThat(String.join("\n", bad.output())).contains("--drain-delay").contains("not a duration");
        }
    }
}
