package dev.courier.protocol;

/** The answer to a {@link Ping}, echoing its token. */
public record Pong(int requestId, long token) implements Request, Reply {
}
