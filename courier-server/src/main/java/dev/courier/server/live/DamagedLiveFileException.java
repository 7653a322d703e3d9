package dev.courier.server.live;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Why the live store refuses to start: a file of its directory holds what no crash can leave (a log whose header is
 * not a log's, damage inside an older, complete log, a record file whose header is bad while no log can make it
 * again), so going on would drop acknowledged samples without a word. The message names the file and what to do;
 * the files are left as they were (apart from a torn last row cut off a record file), so the start can be tried again
 * once the file is restored or moved away. Immutable.
 */
public final class DamagedLiveFileException extends IOException {
    private final transient Path file;

    DamagedLiveFileException(Path file, String message) {
        super(message);
        this.file = file;
    }

    DamagedLiveFileException(Path file, String message, Throwable cause) {
        super(message, cause);
        this.file = file;
    }

    /** The damaged file. */
    public Path file() {
        return file;
    }
}
