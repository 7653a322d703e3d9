package dev.courier.server.files;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Failure;
import java.io.IOException;

/** Turns a failed file operation into the typed failure a client should see. */
public final class IoErrors {
    private IoErrors() {
    }

    /** DISK_FULL when the file system is out of space (or the file hit a size limit), IO_ERROR otherwise. */
    public static Failure of(IOException e, String what) {
        String m = String.valueOf(e.getMessage());
        boolean full = m.contains("No space left") || m.contains("File too large") || m.contains("quota");
        return new Failure(full ? ErrorCode.DISK_FULL : ErrorCode.IO_ERROR, what + ": " + m);
    }
}
