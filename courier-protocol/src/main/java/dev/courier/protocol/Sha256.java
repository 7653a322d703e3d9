package dev.courier.protocol;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

/** A SHA-256 digest: 32 bytes, immutable. */
public record Sha256(byte[] bytes) {
    public Sha256 {
        if (bytes.length != FrameDescriptor.SHA256_BYTES) {
            throw new IllegalArgumentException("SHA-256 is 32 bytes, got " + bytes.length);
        }
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /**
     * Feeds the remaining bytes of {@code data} to {@code digest} through {@code scratch}. The JDK hashes a heap
     * array with its SHA intrinsics directly, but a direct buffer 4 KiB at a time through an internal copy, which
     * measured about four times slower; one large copy into {@code scratch} first is the fast way.
     */
    public static void update(MessageDigest digest, ByteBuffer data, byte[] scratch) {
        if (data.hasArray()) {
            digest.update(data);
            return;
        }
        ByteBuffer d = data.duplicate();
        while (d.hasRemaining()) {
            int n = Math.min(scratch.length, d.remaining());
            d.get(scratch, 0, n);
            digest.update(scratch, 0, n);
        }
        data.position(data.limit());
    }

    public String hex() {
        return HexFormat.of().formatHex(bytes);
    }

    public static Sha256 ofHex(String hex) {
        return new Sha256(HexFormat.of().parseHex(hex));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sha256 other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return hex();
    }
}
