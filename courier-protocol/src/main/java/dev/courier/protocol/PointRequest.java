package dev.courier.protocol;

import java.util.Objects;

/**
 * Asks for the sample of {@code record} nearest to {@code timeSeconds} on {@code channel} (numbered from 1).
 */
public record PointRequest(int requestId, String record, double timeSeconds, int channel) implements Request {
    public PointRequest {
        Objects.requireNonNull(record, "record");
    }
}
