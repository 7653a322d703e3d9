package dev.courier.server.files;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ProtocolException;
import java.io.IOException;

/** Turns a failed file operation into the typed error a client should see. */
public final class IoErrors {
    private IoErrors() {
    }

    /** DISK_FULL when the file system is out of space (or the file hit a size limit), IO_ERROR otherwise. */
    public static ProtocolException of(IOException e, int requestId, String what) {
        String m = String.valueOf(e.getMessage());
        boolean full = m.contains("No space left") || m.contains("File too large") || m.contains("quota");
        return new ProtocolException(full ? ErrorCode.DISK_FULL : ErrorCode.IO_ERROR, requestId, what + ": " + m);
    }
}
