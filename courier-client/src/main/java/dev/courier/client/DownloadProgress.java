package dev.courier.client;

/** Told how a transfer advances. Called from several threads; implementations must be thread-safe and quick. */
@FunctionalInterface
public interface DownloadProgress {
    DownloadProgress NONE = (done, total) -> { };

    /** {@code doneBytes} of {@code totalBytes} are in place and verified. */
    void advanced(long doneBytes, long totalBytes);

    /** Something a user should know: resuming, starting over, reconnecting. */
    default void note(String message) {
    }
}
