package dev.courier.server.points;

import java.util.List;

/**
 * The live records a {@link RecordingStore} serves besides its recorded ones: each a {@link Recording} snapshot of
 * the samples acknowledged so far, so points, RECORDS, RANGE_STREAM and ENVELOPE see an appended sample as soon as
 * its APPEND is acknowledged. Implementations are safe from any thread.
 */
public interface LiveRecordings {
    /** No live records (a server without {@code --live}). */
    LiveRecordings NONE = new LiveRecordings() {
        @Override
        public Recording find(String id) {
            return null;
        }

        @Override
        public List<Recording> all() {
            return List.of();
        }
    };

    /** The current snapshot of live record {@code id}; null when there is none. */
    Recording find(String id);

    /** The current snapshots of every live record, in no particular order. */
    List<Recording> all();
}
