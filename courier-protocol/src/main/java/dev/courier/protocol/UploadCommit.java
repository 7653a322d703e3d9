package dev.courier.protocol;

/** Every byte is sent: verify the whole file and put it under its final name. */
public record UploadCommit(int requestId, long uploadId) implements Request {
}
