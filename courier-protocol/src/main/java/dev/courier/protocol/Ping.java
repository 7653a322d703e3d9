package dev.courier.protocol;

/** A liveness probe; the peer answers with a {@link Pong} carrying the same token. */
public record Ping(int requestId, long token) implements Request, Reply {
}
