package dev.courier.server.files;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.zip.CRC32C;

/**
 * Integrity sums over file ranges, read through a memory mapping so the bytes never pass through a Java buffer
 * (the data itself still goes out by sendfile). The mapping is unmapped as soon as the sum is taken.
 */
public final class Checksums {
    private static final long SHA_WINDOW_BYTES = 64L << 20;

    private Checksums() {
    }

    /** CRC32C of {@code count} bytes of {@code channel} from {@code offset}. */
    public static int crc32c(FileChannel channel, long offset, int count) throws IOException {
        CRC32C crc = new CRC32C();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = channel.map(FileChannel.MapMode.READ_ONLY, offset, count, arena);
            crc.update(segment.asByteBuffer());
        }
        return (int) crc.getValue();
    }

    /** CRC32C of the readable bytes of {@code data}, leaving its position alone. */
    public static int crc32c(ByteBuffer data) {
        CRC32C crc = new CRC32C();
        crc.update(data.duplicate());
        return (int) crc.getValue();
    }

    /** SHA-256 of the first {@code size} bytes of {@code channel}. */
    public static byte[] sha256(FileChannel channel, long size) throws IOException {
        MessageDigest sha = newSha256();
        byte[] scratch = new byte[1 << 20];
        for (long offset = 0; offset < size; offset += SHA_WINDOW_BYTES) {
            long window = Math.min(SHA_WINDOW_BYTES, size - offset);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment segment = channel.map(FileChannel.MapMode.READ_ONLY, offset, window, arena);
                dev.courier.protocol.Sha256.update(sha, segment.asByteBuffer(), scratch);
            }
        }
        return sha.digest();
    }

    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
