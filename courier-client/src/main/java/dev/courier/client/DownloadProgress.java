package dev.courier.client;

/** Told how a transfer advances. Called from several threads; implementations must be thread-safe and quick. */
@FunctionalInterface
public interface DownloadProgress {
    DownloadProgress NONE = (done, total) -> { };

    /** What a transfer does after its last byte is in, before it returns. */
    enum Phase {
        /** Making the complete file durable (the final sync) and giving it its name. */
        SYNCING
    }

    /** {@code doneBytes} of {@code totalBytes} are in place and verified. */
    void advanced(long doneBytes, long totalBytes);

    /** Something a user should know: resuming, starting over, reconnecting. */
    default void note(String message) {
    }

    /** Every byte is in and the transfer has moved on to {@code phase}. */
    default void phase(Phase phase) {
    }
}
