package dev.courier.client;

/**
 * What an APPEND got: its rows are samples {@code [firstSample, firstSample + rows)} of the live record, durable on
 * the server.
 */
public record Appended(long firstSample, int rows) {
}
