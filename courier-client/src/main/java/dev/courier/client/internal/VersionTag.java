package dev.courier.client.internal;

import dev.courier.protocol.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.TimeUnit;

/**
 * The 32 bytes an upload that announces its SHA-256 at COMMIT sends in UPLOAD_BEGIN instead: they name this version
 * of the local file, so that the server resumes an interrupted upload of it (same size, same 32 bytes) and starts
 * afresh for another version, as it does with a SHA-256 there. They are a SHA-256 of the file's size, modification
 * time and file key (device and inode on Linux), under a label of their own so that they cannot be the SHA-256 of a
 * file's content by accident. A file changed without a new modification time resumes from the old version's bytes;
 * the COMMIT's SHA-256 then fails (DIGEST_MISMATCH), the server discards the upload, and a new run starts afresh:
 * a wrong file never takes the name.
 *
 * <p>Stateless.
 */
public final class VersionTag {
    private static final String LABEL = "courier upload version tag 1\n";

    private VersionTag() {
    }

    /** The tag of {@code local} as it is now, {@code sizeBytes} long. */
    public static Sha256 of(Path local, long sizeBytes) throws IOException {
        BasicFileAttributes a = Files.readAttributes(local, BasicFileAttributes.class);
        String version = LABEL + sizeBytes + "\n" + a.lastModifiedTime().to(TimeUnit.NANOSECONDS) + "\n"
                + a.fileKey();
        try {
            return new Sha256(MessageDigest.getInstance("SHA-256")
                    .digest(version.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
