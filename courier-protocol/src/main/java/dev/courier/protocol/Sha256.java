package dev.courier.protocol;

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
