package dev.courier.protocol;

import java.util.Objects;

/**
 * Many points of one record and channel in one frame. The array is owned by the message once built: callers
 * must not change it afterwards.
 */
public record PointBatchRequest(int requestId, String record, int channel, double[] timesSeconds)
        implements Request {
    public PointBatchRequest {
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(timesSeconds, "timesSeconds");
    }
}
