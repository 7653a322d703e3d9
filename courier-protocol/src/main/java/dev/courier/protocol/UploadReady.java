package dev.courier.protocol;

import java.util.List;

/**
 * The server accepted an upload: {@code uploadId} names it in writes and the commit; {@code received} lists the
 * byte ranges it already holds, verified, from an earlier attempt (empty for a new upload); {@code maxWriteBytes}
 * is the most data one UPLOAD_WRITE may carry.
 */
public record UploadReady(int requestId, long uploadId, int maxWriteBytes, List<ByteRange> received)
        implements Reply {
    public UploadReady {
        received = List.copyOf(received);
    }
}
