package dev.courier.server.uploads;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Failure;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The free space an upload may not eat into, on the file system of the upload directory. An upload is admitted
 * only when its remaining bytes, and those still due to the other open uploads, leave at least the reserve free:
 * the disk then never fills up with uploads that were promised room, and what else lives on it (logs, the
 * system, other services) keeps working. A real ENOSPC during a write still answers DISK_FULL.
 *
 * <p>Thread-safe; each check asks the file system (one {@code statvfs}).
 */
final class SpaceReserve {
    private final FileStore store;
    private final long minFreeBytes;

    SpaceReserve(Path dir, long minFreeBytes) throws IOException {
        this.store = Files.getFileStore(dir);
        this.minFreeBytes = minFreeBytes;
    }

    /**
     * Checks that {@code neededBytes} more for {@code name}, on top of {@code promisedBytes} still due to the other
     * open uploads, leave the reserve free.
     *
     * @throws Failure DISK_FULL when they would not, IO_ERROR when the free space cannot be read
     */
    void admit(String name, long neededBytes, long promisedBytes) {
        if (neededBytes <= 0) {
            return; // it has every byte already: admitting it costs no space
        }
        long freeBytes;
        try {
            freeBytes = store.getUsableSpace();
        } catch (IOException e) {
            throw new Failure(ErrorCode.IO_ERROR, "cannot read the free space of the upload directory: "
                    + e.getMessage());
        }
        long leftBytes = freeBytes - neededBytes - promisedBytes;
        if (leftBytes < minFreeBytes) {
            throw new Failure(ErrorCode.DISK_FULL, "the server has no room for the " + neededBytes
                    + " bytes still to come of '" + name + "': " + freeBytes + " bytes are free, " + promisedBytes
                    + " are promised to other uploads, and " + minFreeBytes + " must stay free; try again later");
        }
    }
}
