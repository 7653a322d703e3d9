package dev.courier.protocol;

/**
 * WINDOW: adds {@code incrementBytes} (1 to 2^31-1) of credit to the open stream named by {@code requestId}. No reply;
 * ignored for an id with no open stream.
 */
public record WindowUpdate(int requestId, int incrementBytes) implements Request {
}
