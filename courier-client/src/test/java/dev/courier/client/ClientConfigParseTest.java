package dev.courier.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What {@code -s/--server} accepts: host and port, either alone, IPv6 in brackets; and what is not a host. */
class ClientConfigParseTest {
    @ParameterizedTest(name = "{0} -> {1} port {2}")
    @CsvSource({
            "7420,                 127.0.0.1,     7420",
            "9000,                 127.0.0.1,     9000",
            ":9000,                127.0.0.1,     9000",
            "example.org,          example.org,   7420",
            "example.org:81,       example.org,   81",
            "10.1.2.3:7000,        10.1.2.3,      7000",
            "[::1]:7001,           ::1,           7001",
            "[fe80::1%eth0],       fe80::1%eth0,  7420",
            "node-2.courier.local, node-2.courier.local, 7420",
    })
    void parsesHostAndPortEitherAlone(String given, String host, int port) {
        ClientConfig c = ClientConfig.parse(given);
        assertThat(c.host()).isEqualTo(host);
        assertThat(c.port()).isEqualTo(port);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://example.org:80", "exa mple.org", "-s", "host/path:80", ".example.org",
            "example.org:http", "[::1", "70000", "a_b:80", "a:1,,b:2", "a:1,", "a:1,b:0"})
    void refusesWhatCannotBeAHostOrAPort(String given) {
        assertThatThrownBy(() -> ClientConfig.parse(given)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(given.strip());
    }

    @Test
    void severalEndpointsCommaSeparatedTheFirstIsHostAndPortTheOthersFallBackInOrder() {
        ClientConfig c = ClientConfig.parse("10.0.0.1:7000, 7001,[::1]:7002");
        assertThat(c.host()).isEqualTo("10.0.0.1");
        assertThat(c.port()).isEqualTo(7000);
        assertThat(c.fallbacks()).containsExactly(new Endpoint("127.0.0.1", 7001), new Endpoint("::1", 7002));
        assertThat(c.endpoints()).containsExactly(new Endpoint("10.0.0.1", 7000), new Endpoint("127.0.0.1", 7001),
                new Endpoint("::1", 7002));
        assertThat(c.address()).isEqualTo("10.0.0.1:7000,127.0.0.1:7001,[::1]:7002");
        assertThat(c.withRequestTimeoutMillis(1_000).fallbacks()).as("kept by every with...").isEqualTo(c.fallbacks());
        assertThat(c.at(c.fallbacks().get(1)).endpoints()).containsExactly(new Endpoint("::1", 7002));
    }

    @Test
    void oneEndpointHasNoFallbacks() {
        assertThat(ClientConfig.parse("example.org:81").fallbacks()).isEqualTo(List.of());
    }
}
