package dev.courier.server.ops;

/**
 * The bounds of the operations HTTP port, which a balancer polls every second or two and a scraper every 15 s: a
 * few small requests on a few connections. Anything more is not a health checker, and is cut short so it costs
 * next to nothing (docs/robustness.md, "The operations port").
 *
 * @param maxRequestLineBytes  the longest request line ({@code GET /ready HTTP/1.1} is 20 bytes); longer gets 414
 * @param maxHeaderBytes       all request headers together; more gets 431
 * @param maxConnections       connections open at once; one more is closed on accept
 * @param idleTimeoutMillis    a connection that neither sends nor receives for this long is closed
 */
public record OpsLimits(int maxRequestLineBytes, int maxHeaderBytes, int maxConnections, long idleTimeoutMillis) {
    /**
     * 1 KiB of request line and 8 KiB of headers (nginx's default buffer is 1 KiB plus 4 x 8 KiB), 64 connections
     * (a handful of balancers, probes and scrapers, with room), 10 s idle (longer than any check interval
     * people use; HAProxy's default is 2 s).
     */
    public static final OpsLimits DEFAULT = new OpsLimits(1024, 8192, 64, 10_000);

    public OpsLimits {
        if (maxRequestLineBytes < 64 || maxHeaderBytes < 64 || maxConnections < 1 || idleTimeoutMillis < 1) {
            throw new IllegalArgumentException("operations port limits too small: " + maxRequestLineBytes + ", "
                    + maxHeaderBytes + ", " + maxConnections + ", " + idleTimeoutMillis);
        }
    }
}
