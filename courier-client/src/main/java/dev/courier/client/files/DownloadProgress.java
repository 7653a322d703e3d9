package dev.courier.client.files;

/** Told how a download advances. Called from several threads; implementations must be thread-safe and quick. */
@FunctionalInterface
public interface DownloadProgress {
    DownloadProgress NONE = (done, total) -> { };

    /** {@code doneBytes} of {@code totalBytes} are written. */
    void advanced(long doneBytes, long totalBytes);
}
