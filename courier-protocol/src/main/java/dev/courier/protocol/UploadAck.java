package dev.courier.protocol;

/** The server verified and wrote the bytes of one UPLOAD_WRITE. */
public record UploadAck(int requestId, long offsetBytes, int lengthBytes) implements Reply {
}
