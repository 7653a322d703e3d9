package dev.courier.server.limits;

/**
 * Limits per client, so that one client cannot take what the others need (docs/robustness.md, "Limits per client").
 * Every limit is off at 0, and {@link #OFF} is the library's default; {@code courier serve} turns them on for an
 * address that is not loopback. Immutable and validated on construction.
 *
 * @param maxConnectionsPerAddress connections one client IP address may hold at once; one more is told
 *                                 TOO_MANY_CONNECTIONS (naming this limit) and closed. 0 for no limit
 * @param requestsPerSecond        the sustained request rate of one token (connections that authenticated) or one
 *                                 address (the others), as a token bucket refilled at this rate; a request over it
 *                                 gets RATE_LIMITED with the time until the bucket has room. 0 for no limit
 * @param burst                    the bucket's size: requests that may come at once after a quiet spell; at least
 *                                 1 when there is a rate, 0 without
 * @param maxRequestsInFlight      per connection: requests being served (file reads, digests, listings, uploads)
 *                                 before the server stops reading more from it, at most the server's own
 *                                 {@code maxFileOpsInFlight}. 0 for the server's own cap alone
 */
public record ClientLimits(int maxConnectionsPerAddress, int requestsPerSecond, int burst,
                           int maxRequestsInFlight) {
    /** No limit per client: the library's default, and loopback's. */
    public static final ClientLimits OFF = new ClientLimits(0, 0, 0, 0);

    public ClientLimits {
        if (maxConnectionsPerAddress < 0 || requestsPerSecond < 0 || burst < 0 || maxRequestsInFlight < 0) {
            throw new IllegalArgumentException("limits must be >= 0 (0 for none): " + maxConnectionsPerAddress + ", "
                    + requestsPerSecond + ", " + burst + ", " + maxRequestsInFlight);
        }
        if (requestsPerSecond > 0 && burst < 1) {
            throw new IllegalArgumentException("a rate limit needs a burst of at least 1 request");
        }
        if (requestsPerSecond == 0 && burst != 0) {
            throw new IllegalArgumentException("a burst without a rate limit means nothing: " + burst);
        }
    }

    /** True when requests are counted against a rate. */
    public boolean rateLimited() {
        return requestsPerSecond > 0;
    }
}
