package dev.courier.client;

import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Secret;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link CourierClient} reaches its server. Immutable and validated on construction.
 *
 * @param host                 server host name or address
 * @param port                 server port
 * @param ioThreads            event loop threads; 0 for Netty's default (twice the cores)
 * @param connectTimeoutMillis how long a connection and its handshake may take
 * @param requestTimeoutMillis how long a request may wait for its reply before it fails with TIMED_OUT
 * @param maxFrameBytes        largest frame this client accepts; bounds the chunk size
 * @param pingIntervalMillis   a connection that hears nothing this long sends a PING; 0 for never
 * @param idleTimeoutMillis    a connection that hears nothing (not even a PONG) this long is closed as dead;
 *                             0 for never
 * @param token                the bearer token sent in HELLO, for a server started with {@code --auth}; empty for
 *                             none. {@link Secret} keeps it out of {@link #toString()}
 * @param tls                  when present, TLS 1.3 to the server, its certificate verified for {@code host};
 *                             empty for plaintext
 * @param fallbacks            endpoints tried, in order, after {@code host:port} when a connection is refused or
 *                             lost (pick-first, as gRPC's policy of that name: see {@link #endpoints()}); empty for
 *                             one server
 */
public record ClientConfig(String host, int port, int ioThreads, int connectTimeoutMillis, int requestTimeoutMillis,
                           int maxFrameBytes, long pingIntervalMillis, long idleTimeoutMillis,
                           Optional<Secret> token, Optional<ClientTls> tls, List<Endpoint> fallbacks) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 7420;
    public static final int DEFAULT_MAX_FRAME_BYTES = (16 << 20) + FrameDescriptor.CHUNK_OVERHEAD_BYTES;
    public static final long DEFAULT_PING_INTERVAL_MILLIS = 15_000;
    public static final long DEFAULT_IDLE_TIMEOUT_MILLIS = 45_000;

    public ClientConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(tls, "tls (Optional.empty() for plaintext)");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1 to 65535: " + port);
        }
        if (ioThreads < 0) {
            throw new IllegalArgumentException("ioThreads must be >= 0: " + ioThreads);
        }
        if (connectTimeoutMillis < 1 || requestTimeoutMillis < 1) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (maxFrameBytes < FrameDescriptor.CHUNK_OVERHEAD_BYTES + 1) {
            throw new IllegalArgumentException("maxFrameBytes too small: " + maxFrameBytes);
        }
        if (pingIntervalMillis < 0 || idleTimeoutMillis < 0) {
            throw new IllegalArgumentException("ping interval and idle timeout must be >= 0");
        }
        Objects.requireNonNull(token, "token (Optional.empty() for none)");
        fallbacks = List.copyOf(fallbacks);
    }

    /** One server, no fallbacks. */
    public ClientConfig(String host, int port, int ioThreads, int connectTimeoutMillis, int requestTimeoutMillis,
                        int maxFrameBytes, long pingIntervalMillis, long idleTimeoutMillis, Optional<Secret> token,
                        Optional<ClientTls> tls) {
        this(host, port, ioThreads, connectTimeoutMillis, requestTimeoutMillis, maxFrameBytes, pingIntervalMillis,
                idleTimeoutMillis, token, tls, List.of());
    }

    /** Defaults for everything but the server's address. */
    public static ClientConfig of(String host, int port) {
        return new ClientConfig(host, port, 0, 5_000, 30_000, DEFAULT_MAX_FRAME_BYTES, DEFAULT_PING_INTERVAL_MILLIS,
                DEFAULT_IDLE_TIMEOUT_MILLIS, Optional.empty(), Optional.empty());
    }

    /**
     * Parses a comma-separated list of endpoints, each {@code HOST:PORT}, {@code HOST}, {@code :PORT} or {@code PORT}
     * alone (on 127.0.0.1), an IPv6 host in brackets: the first is {@link #host()}:{@link #port()}, the others are
     * the {@link #fallbacks()}. A host that cannot be one (a space, a slash, a scheme) is refused here rather than
     * looked up.
     */
    public static ClientConfig parse(String endpoints) {
        List<Endpoint> all = new ArrayList<>();
        String[] each = endpoints.split(",", -1);
        for (String one : each) {
            if (each.length > 1 && one.isBlank()) {
                throw new IllegalArgumentException("empty endpoint in '" + endpoints + "'");
            }
            try {
                all.add(endpoint(one));
            } catch (IllegalArgumentException e) {
                throw each.length == 1 ? e
                        : new IllegalArgumentException(e.getMessage() + " of '" + endpoints + "'", e);
            }
        }
        Endpoint first = all.getFirst();
        return of(first.host(), first.port()).withFallbacks(all.subList(1, all.size()));
    }

    private static Endpoint endpoint(String hostPort) {
        String s = hostPort.strip();
        if (!s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            // "-s 7420": a port on this machine, as redis-cli's -p, not a host named 7420 on the network.
            return new Endpoint(DEFAULT_HOST, port(s, hostPort));
        }
        String host;
        String port = null;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("missing ']' in '" + hostPort + "'");
            }
            host = s.substring(1, close);
            if (s.startsWith(":", close + 1)) {
                port = s.substring(close + 2);
            }
        } else {
            int colon = s.lastIndexOf(':');
            host = colon < 0 ? s : s.substring(0, colon);
            port = colon < 0 ? null : s.substring(colon + 1);
        }
        if (!host.isEmpty() && !looksLikeHost(host)) {
            throw new IllegalArgumentException("bad host '" + host + "' in '" + hostPort + "': a name (letters, "
                    + "digits, '-' and '.'), an IPv4 address or an IPv6 address in brackets");
        }
        return new Endpoint(host.isEmpty() ? DEFAULT_HOST : host, port == null ? DEFAULT_PORT : port(port, hostPort));
    }

    private static int port(String port, String hostPort) {
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in '" + hostPort + "'");
        }
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("port must be 1 to 65535 in '" + hostPort + "'");
        }
        return p;
    }

    /** A DNS name (RFC 1123 characters, at most 253 of them), an IPv4 address, or an IPv6 address (hex and ':'). */
    private static boolean looksLikeHost(String host) {
        if (host.length() > 253 || host.startsWith("-") || host.startsWith(".")) {
            return false;
        }
        boolean ipv6 = host.indexOf(':') >= 0;
        // An IPv6 address may end in a zone (fe80::1%eth0), which is a name.
        int zone = ipv6 ? host.indexOf('%') : -1;
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            boolean name = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '.';
            boolean ok = !ipv6 || (zone >= 0 && i > zone) ? name
                    : Character.digit(c, 16) >= 0 || c == ':' || c == '.' || i == zone;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    public ClientConfig withIoThreads(int threads) {
        return new ClientConfig(host, port, threads, connectTimeoutMillis, requestTimeoutMillis, maxFrameBytes,
                pingIntervalMillis, idleTimeoutMillis, token, tls, fallbacks);
    }

    public ClientConfig withRequestTimeoutMillis(int millis) {
        return new ClientConfig(host, port, ioThreads, connectTimeoutMillis, millis, maxFrameBytes,
                pingIntervalMillis, idleTimeoutMillis, token, tls, fallbacks);
    }

    public ClientConfig withConnectTimeoutMillis(int millis) {
        return new ClientConfig(host, port, ioThreads, millis, requestTimeoutMillis, maxFrameBytes,
                pingIntervalMillis, idleTimeoutMillis, token, tls, fallbacks);
    }

    public ClientConfig withKeepalive(long pingMillis, long idleMillis) {
        return new ClientConfig(host, port, ioThreads, connectTimeoutMillis, requestTimeoutMillis, maxFrameBytes,
                pingMillis, idleMillis, token, tls, fallbacks);
    }

    /** This configuration sending {@code t} in HELLO. */
    public ClientConfig withToken(Secret t) {
        return new ClientConfig(host, port, ioThreads, connectTimeoutMillis, requestTimeoutMillis, maxFrameBytes,
                pingIntervalMillis, idleTimeoutMillis, Optional.of(t), tls, fallbacks);
    }

    /** TLS 1.3 to the server as {@code tls} says. */
    public ClientConfig withTls(ClientTls tls) {
        return new ClientConfig(host, port, ioThreads, connectTimeoutMillis, requestTimeoutMillis, maxFrameBytes,
                pingIntervalMillis, idleTimeoutMillis, token, Optional.of(tls), fallbacks);
    }

    /** This configuration trying {@code others}, in order, after {@code host:port}. */
    public ClientConfig withFallbacks(List<Endpoint> others) {
        return new ClientConfig(host, port, ioThreads, connectTimeoutMillis, requestTimeoutMillis, maxFrameBytes,
                pingIntervalMillis, idleTimeoutMillis, token, tls, others);
    }

    /** Every endpoint, {@code host:port} first, then the fallbacks in their order. */
    public List<Endpoint> endpoints() {
        List<Endpoint> all = new ArrayList<>(1 + fallbacks.size());
        all.add(new Endpoint(host, port));
        all.addAll(fallbacks);
        return List.copyOf(all);
    }

    /** This configuration for {@code e} alone: its host is the one TLS verifies and sends as SNI. */
    public ClientConfig at(Endpoint e) {
        return new ClientConfig(e.host(), e.port(), ioThreads, connectTimeoutMillis, requestTimeoutMillis,
                maxFrameBytes, pingIntervalMillis, idleTimeoutMillis, token, tls, List.of());
    }

    /** The first endpoint as {@code HOST:PORT}, and the fallbacks after it, comma-separated. */
    public String address() {
        StringBuilder b = new StringBuilder();
        for (Endpoint e : endpoints()) {
            b.append(b.isEmpty() ? "" : ",").append(e.address());
        }
        return b.toString();
    }
}
