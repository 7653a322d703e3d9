package dev.courier.server.files;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Failure;
import dev.courier.protocol.FileEntry;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Sha256;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Lists, stats, digests and opens files of a {@link FileRoot}: every open confined to the root, one shared
 * descriptor per file version ({@link OpenFiles}), chunk CRCs and digests kept per version. Digests are computed on
 * a pool of their own ({@link DigestCache}); everything else blocks the caller, so call it off the event loop.
 * Thread-safe.
 */
public final class FileService implements AutoCloseable {
    private final FileRoot root;
    private final OpenFiles openFiles;
    private final DigestCache digests;
    private final ChunkChecksums chunkCrcs = new ChunkChecksums();

    /**
     * @param maxOpenFiles  files kept open while no request reads them (see {@link OpenFiles})
     * @param digestThreads threads that hash files for DIGEST, apart from those that serve reads
     */
    public FileService(FileRoot root, int maxOpenFiles, int digestThreads) {
        this.root = root;
        this.openFiles = new OpenFiles(root, maxOpenFiles);
        this.digests = new DigestCache(root, openFiles, digestThreads);
    }

    /**
     * Hashing threads for a machine with {@code cores} cores: half of them, at least one and at most four, so that
     * digests never take all the CPU that reads need.
     */
    public static int defaultDigestThreads(int cores) {
        return Math.max(1, Math.min(4, cores / 2));
    }

    public FileRoot root() {
        return root;
    }

    /** The shared open files, for the legacy protocol's reads. */
    public OpenFiles openFiles() {
        return openFiles;
    }

    /**
     * The entries of a directory under the root.
     *
     * @param maxFrameBytes the peer's frame limit: a listing that would not fit is refused with LISTING_TOO_LARGE
     */
    public List<FileEntry> list(String path, int maxFrameBytes) {
        List<FileEntry> entries = root.list(path);
        long bytes = FrameDescriptor.HEADER_BYTES + 4L;
        for (FileEntry e : entries) {
            bytes += 1 + 8 + 8 + 2 + e.name().getBytes(StandardCharsets.UTF_8).length;
        }
        if (bytes - FrameDescriptor.LENGTH_FIELD_BYTES > maxFrameBytes) {
            throw new Failure(ErrorCode.LISTING_TOO_LARGE, FileRoot.quoted(path) + " has " + entries.size()
                    + " entries, " + bytes + " bytes listed, more than the client's frame limit of " + maxFrameBytes);
        }
        return entries;
    }

    /** Size and modification time of a regular file. */
    public Stat stat(String name) {
        FileStatus s = root.statConfined(root.resolve(name), name);
        if (!s.regular()) {
            throw FileRoot.notAFile(name);
        }
        return new Stat(s.version().sizeBytes(), s.version().modifiedMillis());
    }

    /**
     * Size, time and SHA-256 of a file, computed once per version of the file. Resolves and stats the name here,
     * blocking; the hashing, if any, runs on the digest pool.
     *
     * @param recompute hash the file again even when a digest of its current version is kept, and forget the CRCs
     *                  kept for its chunks
     * @return completes with the digest, or with a {@link Failure}: FILE_CHANGED for a file that kept changing
     *         while it was hashed, IO_ERROR, and the path errors
     * @throws Failure the path errors found before hashing: MALFORMED_REQUEST, OUTSIDE_ROOT, NOT_FOUND, NOT_A_FILE
     */
    public CompletableFuture<Digest> digest(String name, boolean recompute) {
        Path real = root.resolve(name);
        FileStatus now = root.status(real, name);
        if (!now.regular()) {
            throw FileRoot.notAFile(name);
        }
        if (recompute) {
            // The client saw bytes that did not match what it was told: distrust the CRCs of this version too.
            chunkCrcs.forget(now.version());
        }
        return digests.digest(real, name, now.version(), recompute).thenApply(r -> new Digest(
                r.version().sizeBytes(), r.version().modifiedMillis(), r.sha256()));
    }

    /**
     * The shared open file for a read and the bytes that go out. The returned chunk holds one reference to the
     * file, which the caller must release (a {@link SharedFileRegion} made from it does so when it is sent).
     *
     * @param maxChunkBytes the largest read allowed on this connection
     * @throws Failure MALFORMED_REQUEST, CHUNK_TOO_LARGE, OFFSET_PAST_END, FILE_CHANGED (the file shrank while its
     *                 CRC was computed), IO_ERROR and the path errors
     */
    public OpenChunk open(String name, long offsetBytes, int lengthBytes, int maxChunkBytes) {
        if (offsetBytes < 0) {
            throw new Failure(ErrorCode.MALFORMED_REQUEST,
                    "offset " + Long.toUnsignedString(offsetBytes) + " is out of range");
        }
        if (lengthBytes <= 0) {
            throw new Failure(ErrorCode.MALFORMED_REQUEST,
                    "length must be positive, got " + Integer.toUnsignedString(lengthBytes));
        }
        if (lengthBytes > maxChunkBytes) {
            throw new Failure(ErrorCode.CHUNK_TOO_LARGE,
                    "read of " + lengthBytes + " bytes exceeds the maximum chunk of " + maxChunkBytes);
        }
        OpenFile file = openFiles.acquire(name);
        try {
            long size = file.version().sizeBytes();
            if (offsetBytes >= size) {
                throw new Failure(ErrorCode.OFFSET_PAST_END, "offset " + offsetBytes
                        + " is at or past the end of " + FileRoot.quoted(name) + " (" + size + " bytes)");
            }
            int count = (int) Math.min(lengthBytes, size - offsetBytes);
            boolean last = offsetBytes + count == size;
            // Computed now, from the bytes that are about to go out by sendfile, so a file that changes in between
            // is caught by the client's check.
            int crc = chunkCrcs.crc32c(file, offsetBytes, count);
            return new OpenChunk(file, offsetBytes, count, last, crc);
        } catch (EOFException e) {
            file.release();
            throw new Failure(ErrorCode.FILE_CHANGED, FileRoot.quoted(name) + " shrank while it was read ("
                    + e.getMessage() + "); ask again");
        } catch (IOException e) {
            file.release();
            throw new Failure(ErrorCode.IO_ERROR, "cannot read " + FileRoot.quoted(name) + ": " + e.getMessage());
        } catch (RuntimeException e) {
            file.release();
            throw e;
        }
    }

    /**
     * Opens {@code name} for a stream and checks, once for the whole stream, that it is the version the client
     * expects. The returned source holds one reference to the shared file, which the caller must release.
     *
     * @throws Failure FILE_CHANGED when its size or modification time is not the one expected, and the path errors
     */
    public StreamSource openStream(String name, long sizeBytes, long modifiedMillis) {
        Path real = root.resolve(name);
        OpenFile file = openFiles.acquire(real, name);
        FileVersion v = file.version();
        if (v.sizeBytes() != sizeBytes || v.modifiedMillis() != modifiedMillis) {
            file.release();
            throw new Failure(ErrorCode.FILE_CHANGED, FileRoot.quoted(name) + " is now " + v.sizeBytes()
                    + " bytes modified at " + v.modifiedMillis() + " ms, not the " + sizeBytes + " bytes at "
                    + modifiedMillis + " ms asked for; ask for its digest again");
        }
        return new StreamSource(root, chunkCrcs, file, real, name);
    }

    /** Stops hashing and closes the files no request holds; the others close as their requests end. */
    @Override
    public void close() {
        digests.close();
        openFiles.close();
    }

    /** What STAT answers: a regular file's size and modification time. */
    public record Stat(long sizeBytes, long modifiedMillis) {
    }

    /** What DIGEST answers: a file's size, modification time and SHA-256. */
    public record Digest(long sizeBytes, long modifiedMillis, Sha256 sha256) {
    }

    /**
     * A shared open file, the range of it that answers one read, and the CRC32C of that range. Holds one reference
     * to the file.
     */
    public record OpenChunk(OpenFile file, long offsetBytes, int countBytes, boolean last, int crc32c) {
    }
}
