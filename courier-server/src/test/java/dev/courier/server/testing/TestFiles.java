package dev.courier.server.testing;

import dev.courier.protocol.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/** Test files: seeded random content and an independent SHA-256. */
public final class TestFiles {
    private TestFiles() {
    }

    /** Writes {@code size} bytes drawn from {@code new Random(seed)} to {@code file}; returns it. */
    public static Path random(Path file, long size, long seed) throws IOException {
        Random random = new Random(seed);
        byte[] block = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = size; left > 0; left -= block.length) {
                random.nextBytes(block);
                out.write(block, 0, (int) Math.min(block.length, left));
            }
        }
        return file;
    }

    /** The SHA-256 of the first {@code length} bytes of {@code content}, computed here with the JDK. */
    public static Sha256 sha256(byte[] content, int length) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(content, 0, length);
            return new Sha256(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** The SHA-256 of {@code content}, computed here with the JDK. */
    public static Sha256 sha256(byte[] content) {
        return sha256(content, content.length);
    }

    /** The SHA-256 of {@code file}, in lower-case hex, computed here with the JDK. */
    public static String sha256(Path file) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
