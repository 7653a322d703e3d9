package dev.courier.server.live;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How a server with {@code --live} keeps live records (docs/robustness.md, "Live records"). Immutable, validated on
 * construction.
 *
 * @param dir                  where each live record's append-only file {@code RECORD.live} is kept
 * @param maxRecords           live records the server holds; an APPEND that would create one more is BAD_APPEND
 * @param maxAppendRows        rows one APPEND may carry; more is BAD_APPEND (a frame bounds it too)
 * @param subscriberQueueBytes bytes of appended rows waiting for one subscriber (not yet sent for want of credit or
 *                             of a writable socket) above which it is sent SLOW_CONSUMER and its subscription ends
 */
public record LiveConfig(Path dir, int maxRecords, int maxAppendRows, long subscriberQueueBytes) {
    /** A thousand records at 250 Hz is the load; ten times that leaves room and bounds the heap. */
    public static final int DEFAULT_MAX_RECORDS = 10_000;
    /** Four seconds of 1 kHz, or 16 of 250 Hz, per APPEND: a producer batches a few hundred ms. */
    public static final int DEFAULT_MAX_APPEND_ROWS = 4096;
    /** 1 MiB: over two minutes of two channels at 250 Hz behind before a subscriber is dropped. */
    public static final long DEFAULT_SUBSCRIBER_QUEUE_BYTES = 1 << 20;

    public LiveConfig {
        Objects.requireNonNull(dir, "dir");
        if (maxRecords < 1 || maxAppendRows < 1 || subscriberQueueBytes < 1) {
            throw new IllegalArgumentException("maxRecords, maxAppendRows and subscriberQueueBytes must be positive: "
                    + maxRecords + ", " + maxAppendRows + ", " + subscriberQueueBytes);
        }
    }

    /** The defaults, records under {@code dir}. */
    public static LiveConfig of(Path dir) {
        return new LiveConfig(dir, DEFAULT_MAX_RECORDS, DEFAULT_MAX_APPEND_ROWS, DEFAULT_SUBSCRIBER_QUEUE_BYTES);
    }

    public LiveConfig withSubscriberQueueBytes(long bytes) {
        return new LiveConfig(dir, maxRecords, maxAppendRows, bytes);
    }
}
