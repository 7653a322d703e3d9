package dev.courier.server.streams;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Failure;
import dev.courier.protocol.FrameDescriptor;

/**
 * The credit of anything the server pushes under a window (READ_STREAM, RANGE_STREAM and a live subscription):
 * what a WINDOW adds, and the one bound the protocol puts on the sum, in one place for all of them.
 */
public final class Credit {
    private Credit() {
    }

    /**
     * The credit, in bytes, after a WINDOW of {@code incrementBytes} on {@code creditBytes}, or -1 when the sum
     * passes {@link FrameDescriptor#MAX_WINDOW_BYTES} (then {@link #overflow} says why).
     */
    public static long add(long creditBytes, long incrementBytes) {
        long credit = creditBytes + incrementBytes;
        return credit > FrameDescriptor.MAX_WINDOW_BYTES ? -1 : credit;
    }

    /** What a WINDOW that would pass the bound gets: MALFORMED_REQUEST, naming both numbers. */
    public static Failure overflow(long creditBytes, long incrementBytes) {
        return new Failure(ErrorCode.MALFORMED_REQUEST, "window overflow: " + creditBytes + " + " + incrementBytes
                + " bytes of credit exceed 2^31-1");
    }
}
