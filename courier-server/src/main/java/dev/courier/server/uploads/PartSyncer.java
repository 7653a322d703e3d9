package dev.courier.server.uploads;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Syncs part files while their uploads go on, on one platform thread of its own, so that the bytes reach the disk
 * during the transfer and COMMIT's own sync has little left to do, and no write waits for the disk meanwhile: a
 * write that synced 16 MiB itself held its acknowledgement (and so the client's window) for tens of milliseconds.
 * One sync per upload is pending at most ({@link UploadSession#wroteUnsynced}); a sync that fails is only logged,
 * since COMMIT syncs again and reports what fails then. Thread-safe.
 */
final class PartSyncer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PartSyncer.class);

    private final ExecutorService thread = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("courier-upload-sync").factory());

    /** Syncs {@code part}, the open part file of {@code s}, soon; tells {@code s} when it is done. */
    void sync(UploadSession s, FileChannel part) {
        try {
            thread.execute(() -> {
                try {
                    part.force(false);
                } catch (IOException e) {
                    // Closed under it (the upload went idle or was committed), or a failing disk: COMMIT tells.
                    log.debug("background sync of the upload of '{}' failed: {}", s.name, e.toString());
                } finally {
                    s.synced();
                }
            });
        } catch (RejectedExecutionException e) {
            s.synced(); // shutting down: COMMIT, if one still comes, syncs
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
