package dev.courier.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.courier.client.ClientConfig;
import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.protocol.ErrorCode;
import dev.courier.server.testing.CsvTruth;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics} of a real {@code courier serve --metrics} process, scraped with the JDK's HTTP client after real
 * traffic: the request counters by type and outcome, the latency histogram's counts, the connections and the bytes
 * equal what this test did; the JVM and Netty meters are there.
 */
class MetricsProcessTest {
    private static final Pattern OPS_PORT = Pattern.compile("operations HTTP on 127\\.0\\.0\\.1:(\\d+)");
    private static final int POINTS = 120;
    private static final int UNKNOWN_RECORD_POINTS = 3;
    private static final int PINGS = 7;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private String scrape(int port) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        return r.body();
    }

    /** The value of the one sample {@code series} (name and labels, as Prometheus prints them); fails if absent. */
    private static double value(String text, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        assertThat(m.find()).as(series + " in\n" + text).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void countersAfterRealTrafficEqualWhatTheClientsDid() throws Exception {
        CsvTruth truth = CsvTruth.load();
        try (CourierProcess server = CourierProcess.server("--port", "0", "--data", CsvTruth.dataDir().toString(),
                "--metrics", "0")) {
            int port = ProcessFaultsTest.portOf(server);
            int ops = -1;
            for (String line : server.output()) {
                Matcher m = OPS_PORT.matcher(line);
                if (m.find()) {
                    ops = Integer.parseInt(m.group(1));
                }
            }
            assertThat(ops).as("operations port in " + server.output()).isPositive();
            String before = scrape(ops);
            assertThat(value(before, "courier_connections_open{port=\"courier\"}")).isZero();
            assertThat(value(before, "courier_connections_accepted_total{port=\"courier\"}")).isZero();

            ErrorCode unknown;
            try (CourierClient client = new CourierClient(ClientConfig.of("127.0.0.1", port))) {
                Connection a = client.connect().get(10, TimeUnit.SECONDS);
                Connection b = client.connect().get(10, TimeUnit.SECONDS);
                for (int i = 0; i < POINTS; i++) {
                    Connection c = i % 2 == 0 ? a : b;
                    String record = String.valueOf(1 + i % 15);
                    assertThat(c.point(record, i * 0.004, 1).get(10, TimeUnit.SECONDS).value())
                            .isEqualTo(truth.value(record, i, 1));
                }
                ErrorCode seen = null;
                for (int i = 0; i < UNKNOWN_RECORD_POINTS; i++) {
                    Throwable e = catchThrowable(() -> a.point("no-such-record", 0, 1).get(10, TimeUnit.SECONDS));
                    assertThat(e).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(CourierException.class);
                    seen = ((CourierException) e.getCause()).code();
                }
                unknown = seen;
                for (int i = 0; i < PINGS; i++) {
                    assertThat(b.ping(i).get(10, TimeUnit.SECONDS)).isEqualTo(i);
                }

                String after = scrape(ops);
                assertThat(value(after, "courier_requests_total{outcome=\"ok\",type=\"point\"}")).isEqualTo(POINTS);
                assertThat(value(after, "courier_requests_total{outcome=\""
                        + unknown.name().toLowerCase(Locale.ROOT) + "\",type=\"point\"}"))
                        .isEqualTo(UNKNOWN_RECORD_POINTS);
                assertThat(value(after, "courier_requests_total{outcome=\"ok\",type=\"ping\"}")).isEqualTo(PINGS);
                assertThat(value(after, "courier_request_duration_seconds_count{type=\"point\"}"))
                        .isEqualTo(POINTS + UNKNOWN_RECORD_POINTS);
                assertThat(value(after, "courier_request_duration_seconds_sum{type=\"point\"}")).isPositive();
                assertThat(value(after, "courier_connections_accepted_total{port=\"courier\"}")).isEqualTo(2);
                assertThat(value(after, "courier_connections_open{port=\"courier\"}")).isEqualTo(2);
                assertThat(value(after, "courier_connections_rejected_total{reason=\"max_connections\"}")).isZero();
                assertThat(value(after, "courier_bytes_received_total{port=\"courier\"}")).isPositive();
                assertThat(value(after, "courier_bytes_sent_total{port=\"courier\"}")).isPositive();
                assertThat(value(after, "courier_event_loop_pending_tasks")).isNotNegative();
                assertThat(after).contains("\njvm_memory_used_bytes{").contains("\njvm_threads_live_threads ")
                        .contains("\ncourier_netty_allocator_used_direct_bytes ");
                assertThat(after).as("no label value from what a client sent").doesNotContain("no-such-record");
                assertThatThrownBy(() -> value(after, "courier_requests_total{outcome=\"ok\",type=\"hello\"}"))
                        .as("the handshake is not a request").isInstanceOf(AssertionError.class);
            }
        }
    }
}
