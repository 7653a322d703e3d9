package dev.courier.cli;

import dev.courier.client.CourierException;
import dev.courier.client.FileDigest;
import dev.courier.protocol.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Whether a local file holds the same bytes as a file on the server, by the server's DIGEST: the sizes first (free),
 * then the SHA-256 of the local file. {@code get} skips a file already up to date and {@code put} one the server
 * already holds, as rsync does, with a hash rather than a size and a time.
 */
final class LocalDigest {
    private static final int BUFFER_BYTES = 1 << 20;

    private LocalDigest() {
    }

    /** True when {@code local} has {@code remote}'s size and SHA-256. */
    static boolean same(Path local, FileDigest remote) {
        try {
            return Files.size(local) == remote.sizeBytes() && sha256Hex(local).equals(remote.sha256Hex());
        } catch (IOException e) {
            throw new CourierException(ErrorCode.LOCAL_IO_ERROR, "cannot read " + local + ": " + e.getMessage(), e);
        }
    }

    /** The SHA-256 of {@code file}, 64 lowercase hex digits. */
    static String sha256Hex(Path file) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        byte[] buffer = new byte[BUFFER_BYTES];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                sha.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
