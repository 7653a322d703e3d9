package dev.courier.client;

/**
 * One sample of a recording, as the server answered a point request: the sample nearest to the time asked for.
 * Immutable.
 *
 * @param value             the sample's value, in the recording's own unit
 * @param sampleIndex       the sample's index in the recording, from 0
 * @param sampleTimeSeconds the sample's exact time, in seconds from the start of the recording
 */
public record Point(double value, int sampleIndex, double sampleTimeSeconds) {
}
