package dev.courier.protocol;

import java.util.Objects;

/**
 * Asks for up to {@code lengthBytes} of a file starting at {@code offsetBytes}.
 *
 * @param refetch the range is asked for again because the copy received failed its CRC32C (flag
 *                {@link FrameDescriptor#FLAG_REFETCH}): the answer is the same, the server only counts it
 */
public record ReadRequest(int requestId, String name, long offsetBytes, int lengthBytes, boolean refetch)
        implements Request {
    public ReadRequest {
        Objects.requireNonNull(name, "name");
    }

    /** A first read of the range. */
    public ReadRequest(int requestId, String name, long offsetBytes, int lengthBytes) {
        this(requestId, name, offsetBytes, lengthBytes, false);
    }
}
