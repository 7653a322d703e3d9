package dev.courier.client;

import dev.courier.client.internal.Dialer;
import java.util.concurrent.CompletableFuture;

/**
 * The entry point of the client library: holds the event loop threads and the configuration, and opens
 * {@link Connection}s to one server. Create one per process and share it; close it when done. Thread-safe.
 *
 * <p>This package is the whole public API: a user imports {@code dev.courier.client} and nothing else, save
 * {@link dev.courier.protocol.ErrorCode}, the vocabulary of failures that server, client and CLI share (see
 * {@link CourierException#code()}). Everything under {@code dev.courier.client.internal} may change without notice.
 *
 * <p>A complete example (points, a range, a download, an upload), run against a real server by the build, is
 * {@code courier-client/src/test/java/dev/courier/client/examples/QuickStart.java}, quoted in the README:
 * <pre>{@code
 * try (CourierClient client = new CourierClient(ClientConfig.parse("127.0.0.1:7420"));
 *      Connection c = client.open()) {
 *     Point p = c.point("3", 0.008, 1).join();
 *     new Downloader(client, DownloadOptions.defaults(), DownloadProgress.NONE).download("7.csv", Path.of("."));
 * }
 * }</pre>
 */
public final class CourierClient implements AutoCloseable {
    private final Dialer dialer;

    /** A client for the server {@code config} names; it connects only when asked ({@link #connect()}). */
    public CourierClient(ClientConfig config) {
        this.dialer = new Dialer(config);
    }

    public ClientConfig config() {
        return dialer.config();
    }

    /**
     * Connects and completes the handshake; fails with CONNECTION_FAILED, TIMED_OUT (no handshake within the
     * connect timeout) or the server's typed error.
     */
    public CompletableFuture<Connection> connect() {
        return dialer.connect().thenApply(Connection::new);
    }

    /** {@link #connect()}, waiting for it; throws {@link CourierException}. */
    public Connection open() {
        try {
            return connect().join();
        } catch (RuntimeException e) {
            throw CourierException.unwrap(e);
        }
    }

    /** What the transfers and retries of this package open their connections with. */
    Dialer dialer() {
        return dialer;
    }

    @Override
    public void close() {
        dialer.close();
    }
}
