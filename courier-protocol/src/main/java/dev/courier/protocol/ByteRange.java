package dev.courier.protocol;

/** Bytes {@code [offsetBytes, offsetBytes + lengthBytes)} of a file. */
public record ByteRange(long offsetBytes, long lengthBytes) {
    public ByteRange {
        if (offsetBytes < 0 || lengthBytes < 0) {
            throw new IllegalArgumentException("negative range: " + offsetBytes + "+" + lengthBytes);
        }
    }

    public long endBytes() {
        return offsetBytes + lengthBytes;
    }
}
