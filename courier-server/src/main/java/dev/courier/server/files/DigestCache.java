package dev.courier.server.files;

import dev.courier.protocol.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SHA-256 of whole files, computed once per file version (size and modification time) and kept. Concurrent
 * requests for the same version wait for one computation. Thread-safe; blocks while hashing.
 */
public final class DigestCache {
    private record Version(long sizeBytes, long modifiedMillis) {
    }

    private record Entry(Version version, CompletableFuture<Sha256> digest) {
    }

    private final ConcurrentHashMap<Path, Entry> entries = new ConcurrentHashMap<>();

    /** The digest of {@code real} as it is now (size and time as just read by the caller). */
    public Sha256 digest(Path real, long sizeBytes, long modifiedMillis) throws IOException {
        Version version = new Version(sizeBytes, modifiedMillis);
        CompletableFuture<Sha256> mine = new CompletableFuture<>();
        Entry e = entries.compute(real, (k, old) -> old != null && old.version.equals(version)
                && !old.digest.isCompletedExceptionally() ? old : new Entry(version, mine));
        if (e.digest == mine) {
            try (FileChannel ch = FileChannel.open(real, StandardOpenOption.READ)) {
                mine.complete(new Sha256(Checksums.sha256(ch, sizeBytes)));
            } catch (IOException | RuntimeException ex) {
                mine.completeExceptionally(ex);
                entries.remove(real, e);
            }
        }
        try {
            return e.digest.join();
        } catch (java.util.concurrent.CompletionException ex) {
            if (ex.getCause() instanceof IOException io) {
                throw io;
            }
            if (ex.getCause() instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            throw ex;
        }
    }
}
