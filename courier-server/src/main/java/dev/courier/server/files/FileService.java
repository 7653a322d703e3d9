package dev.courier.server.files;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Failure;
import dev.courier.protocol.FileEntry;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Sha256;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * Lists, stats, digests and opens files of a {@link FileRoot}. Blocking: runs off the event loop.
 */
public final class FileService {
    private final FileRoot root;
    private final DigestCache digests = new DigestCache();
    private final ChunkChecksums chunkCrcs = new ChunkChecksums();

    public FileService(FileRoot root) {
        this.root = root;
    }

    public FileRoot root() {
        return root;
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
            throw new Failure(ErrorCode.LISTING_TOO_LARGE, "'" + path + "' has " + entries.size() + " entries, "
                    + bytes + " bytes listed, more than the client's frame limit of " + maxFrameBytes);
        }
        return entries;
    }

    /** Size and modification time of a regular file. */
    public Stat stat(String name) {
        Path real = root.resolve(name);
        BasicFileAttributes a = root.regularFile(real, name);
        return new Stat(a.size(), a.lastModifiedTime().toMillis());
    }

    /** Size, time and SHA-256 of a file; the digest is computed once per version of the file. */
    public Digest digest(String name) {
        Path real = root.resolve(name);
        BasicFileAttributes a = root.regularFile(real, name);
        long mtime = a.lastModifiedTime().toMillis();
        try {
            return new Digest(a.size(), mtime, digests.digest(real, a.size(), mtime));
        } catch (IOException e) {
            throw new Failure(ErrorCode.IO_ERROR, "cannot read '" + name + "': " + e);
        }
    }

    /**
     * Opens the file for a read and works out which bytes go out. The caller owns the returned channel.
     *
     * @param maxChunkBytes the largest read allowed on this connection
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
        Path real = root.resolve(name);
        BasicFileAttributes attributes = root.regularFile(real, name);
        FileChannel channel;
        try {
            channel = FileChannel.open(real, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new Failure(ErrorCode.IO_ERROR, "cannot open '" + name + "': " + e);
        }
        try {
            long size = channel.size();
            if (offsetBytes >= size) {
                throw new Failure(ErrorCode.OFFSET_PAST_END, "offset " + offsetBytes
                        + " is at or past the end of '" + name + "' (" + size + " bytes)");
            }
            int count = (int) Math.min(lengthBytes, size - offsetBytes);
            boolean last = offsetBytes + count == size;
            // Keyed by the version read just before opening: a file replaced since then gets a new key, and its
            // chunks a fresh CRC, which is what the client checks the bytes it receives against.
            int crc = size == attributes.size()
                    ? chunkCrcs.crc32c(real, size, attributes.lastModifiedTime().toMillis(), channel,
                            offsetBytes, count)
                    : Checksums.crc32c(channel, offsetBytes, count);
            return new OpenChunk(channel, offsetBytes, count, last, crc);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new Failure(ErrorCode.IO_ERROR, "cannot read '" + name + "': " + e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /** What STAT answers: a regular file's size and modification time. */
    public record Stat(long sizeBytes, long modifiedMillis) {
    }

    /** What DIGEST answers: a file's size, modification time and SHA-256. */
    public record Digest(long sizeBytes, long modifiedMillis, Sha256 sha256) {
    }

    /** An open file, the range of it that answers one read, and the CRC32C of that range. */
    public record OpenChunk(FileChannel channel, long offsetBytes, int countBytes, boolean last, int crc32c) {
    }

    static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Closing a read-only channel cannot lose data.
        }
    }
}
