package dev.courier.server;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.Hello;
import dev.courier.protocol.Request;
import dev.courier.server.auth.Authenticator;
import dev.courier.server.auth.FailureThrottle;
import dev.courier.server.auth.RequiredScope;
import dev.courier.server.auth.Scope;
import dev.courier.server.auth.TokenEntry;
import dev.courier.server.auth.TokenTable;
import dev.courier.server.limits.RateLimiter;
import dev.courier.server.limits.RequestCost;
import dev.courier.server.limits.TokenBucket;
import java.net.InetAddress;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where a connection's requests are let through or refused before they are dispatched: the token
 * (AUTH_REQUIRED, FORBIDDEN, and AUTH_FAILED for a token removed from the file since), then the rate
 * (RATE_LIMITED). Made at the handshake only when the server checks tokens or rates, so that with both off a
 * connection carries no gate and a request costs one null check.
 *
 * <p>The gate keeps the SHA-256 of the connection's token, never the token, and the name and scopes of its entry;
 * when the token file has been reloaded since it last looked ({@link Authenticator#generation()}), it looks the
 * hash up again. Confined to the connection's event loop, but for the bucket, which is shared (and locked).
 */
final class Gate {
    private static final Logger log = LoggerFactory.getLogger(Gate.class);

    private final Authenticator auth;
    private final RateLimiter rates;
    private final int ratePerSecond;
    private final InetAddress address;
    private byte[] sha256;
    private TokenEntry entry;
    private int generation;
    private TokenBucket bucket;

    private Gate(Authenticator auth, RateLimiter rates, int ratePerSecond, InetAddress address) {
        this.auth = auth;
        this.rates = rates;
        this.ratePerSecond = ratePerSecond;
        this.address = address;
    }

    /** The outcome of the handshake: the gate to use, or the ERROR that closes the connection after a delay. */
    record Opened(Gate gate, ErrorReply failure, long delayMillis) {
    }

    /**
     * Checks {@code hello}'s token (when the server has tokens) and takes the connection's rate bucket (when it has
     * a rate). Null when the server has neither.
     */
    static Opened open(ServerContext server, Hello hello, InetAddress address, long nowNanos) {
        Authenticator auth = server.auth().orElse(null);
        RateLimiter rates = server.rates().orElse(null);
        if (auth == null && rates == null) {
            return null;
        }
        Gate gate = new Gate(auth, rates, server.config().limits().requestsPerSecond(), address);
        if (auth != null && hello.token().isPresent()) {
            byte[] hash = TokenTable.sha256(hello.token().get());
            int seen = auth.generation();
            Optional<TokenEntry> found = auth.lookup(hash);
            if (found.isEmpty()) {
                FailureThrottle.Delay d = auth.throttle().failed(address, nowNanos);
                if (Integer.bitCount(d.failures()) == 1) {
                    // The 1st, 2nd, 4th, 8th... failure in a row: a guessing address cannot flood the log.
                    log.warn("authentication failed from {}: unknown token; {} failures in a row from this "
                            + "address, this one answered after {} ms", address.getHostAddress(), d.failures(),
                            d.delayMillis());
                }
                return new Opened(null, new ErrorReply(0, ErrorCode.AUTH_FAILED,
                        "the server does not know this token"),
                        d.delayMillis());
            }
            gate.sha256 = hash;
            gate.entry = found.get();
            gate.generation = seen;
        }
        if (rates != null) {
            gate.bucket = rates.acquire(gate.entry != null ? "token:" + gate.entry.name()
                    : "address:" + address.getHostAddress(), nowNanos);
        }
        return new Opened(gate, null, 0);
    }

    /**
     * Null when {@code m} may go on; otherwise the ERROR to answer it with. An AUTH_FAILED one (its token was
     * removed from the file) is fatal: the caller closes the connection.
     */
    ErrorReply refusal(Request m, long nowNanos) {
        if (auth != null) {
            Scope needed = RequiredScope.of(m);
            if (needed != null) {
                ErrorReply denied = checkToken(m.requestId(), needed);
                if (denied != null) {
                    return denied;
                }
            }
        }
        if (bucket != null) {
            int cost = RequestCost.of(m);
            if (cost > 0) {
                long waitNanos = bucket.take(cost, nowNanos);
                if (waitNanos > 0) {
                    long retryMillis = Math.min(ErrorReply.MAX_RETRY_AFTER_MILLIS, TokenBucket.toRetryMillis(waitNanos));
                    return new ErrorReply(m.requestId(), ErrorCode.RATE_LIMITED, "over the limit of "
                            + ratePerSecond + " requests/s for " + (entry != null ? "token '" + entry.name() + "'"
                            : "this address") + "; retry in " + retryMillis + " ms", retryMillis);
                }
            }
        }
        return null;
    }

    private ErrorReply checkToken(int requestId, Scope needed) {
        if (sha256 == null) {
            return new ErrorReply(requestId, ErrorCode.AUTH_REQUIRED, "this server requires a token, and "
                    + "this connection's HELLO carried none");
        }
        int now = auth.generation();
        if (now != generation) {
            // The token file was reloaded: the token may be gone, or its scopes changed.
            generation = now;
            entry = auth.lookup(sha256).orElse(null);
            if (entry == null) {
                log.warn("closing the connection from {}: its token was removed from the token file",
                        address.getHostAddress());
            }
        }
        if (entry == null) {
            return new ErrorReply(0, ErrorCode.AUTH_FAILED, "this connection's token is no longer valid: it was "
                    + "removed from the server's token file");
        }
        if (!entry.allows(needed)) {
            return new ErrorReply(requestId, ErrorCode.FORBIDDEN, "token '" + entry.name() + "' lacks the scope '"
                    + needed.wireName() + "' this request needs; it has " + Scope.format(entry.scopes()));
        }
        return null;
    }

    /** The connection has closed: its share of the rate bucket is given back. */
    void close() {
        if (bucket != null) {
            rates.release(bucket);
            bucket = null;
        }
    }
}
