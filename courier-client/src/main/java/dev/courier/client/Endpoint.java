package dev.courier.client;

import java.util.Objects;

/**
 * One address a client may reach a Courier server at: one of a {@link ClientConfig}'s {@link ClientConfig#endpoints()
 * endpoints}. Immutable.
 *
 * @param host host name or address (an IPv6 address without brackets)
 * @param port TCP port, 1 to 65535
 */
public record Endpoint(String host, int port) {
    public Endpoint {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1 to 65535: " + port);
        }
    }

    /** {@code HOST:PORT}, an IPv6 host in brackets. */
    public String address() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        return address();
    }
}
