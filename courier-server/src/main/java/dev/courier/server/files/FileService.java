package dev.courier.server.files;

import dev.courier.protocol.DigestReply;
import dev.courier.protocol.DigestRequest;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.FileEntry;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.ListReply;
import dev.courier.protocol.ListRequest;
import dev.courier.protocol.ProtocolException;
import dev.courier.protocol.ReadRequest;
import dev.courier.protocol.StatReply;
import dev.courier.protocol.StatRequest;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * Answers list, stat and read requests against a {@link FileRoot}. Blocking: runs off the event loop.
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

    /** @param maxFrameBytes the peer's frame limit: a listing that would not fit is refused */
    public ListReply list(ListRequest request, int maxFrameBytes) {
        List<FileEntry> entries = root.list(request.path(), request.requestId());
        long bytes = FrameDescriptor.HEADER_BYTES + 4L;
        for (FileEntry e : entries) {
            bytes += 1 + 8 + 8 + 2 + e.name().getBytes(StandardCharsets.UTF_8).length;
        }
        if (bytes - FrameDescriptor.LENGTH_FIELD_BYTES > maxFrameBytes) {
            throw new ProtocolException(ErrorCode.LISTING_TOO_LARGE, request.requestId(),
                    "'" + request.path() + "' has " + entries.size() + " entries, " + bytes
                            + " bytes listed, more than the client's frame limit of " + maxFrameBytes);
        }
        return new ListReply(request.requestId(), entries);
    }

    public StatReply stat(StatRequest request) {
        int id = request.requestId();
        Path real = root.resolve(request.name(), id);
        BasicFileAttributes a = root.regularFile(real, request.name(), id);
        return new StatReply(id, a.size(), a.lastModifiedTime().toMillis());
    }

    /** Size, time and SHA-256 of a file; the digest is computed once per version of the file. */
    public DigestReply digest(DigestRequest request) {
        int id = request.requestId();
        Path real = root.resolve(request.name(), id);
        BasicFileAttributes a = root.regularFile(real, request.name(), id);
        long mtime = a.lastModifiedTime().toMillis();
        try {
            return new DigestReply(id, a.size(), mtime, digests.digest(real, a.size(), mtime));
        } catch (IOException e) {
            throw new ProtocolException(ErrorCode.IO_ERROR, id, "cannot read '" + request.name() + "': " + e);
        }
    }

    /**
     * Opens the file for a read and works out which bytes go out. The caller owns the returned channel.
     *
     * @param maxChunkBytes the largest read allowed on this connection
     */
    public OpenChunk open(ReadRequest request, int maxChunkBytes) {
        int id = request.requestId();
        if (request.offsetBytes() < 0) {
            throw new ProtocolException(ErrorCode.MALFORMED_REQUEST, id,
                    "offset " + Long.toUnsignedString(request.offsetBytes()) + " is out of range");
        }
        if (request.lengthBytes() <= 0) {
            throw new ProtocolException(ErrorCode.MALFORMED_REQUEST, id,
                    "length must be positive, got " + Integer.toUnsignedString(request.lengthBytes()));
        }
        if (request.lengthBytes() > maxChunkBytes) {
            throw new ProtocolException(ErrorCode.CHUNK_TOO_LARGE, id,
                    "read of " + request.lengthBytes() + " bytes exceeds the maximum chunk of " + maxChunkBytes);
        }
        Path real = root.resolve(request.name(), id);
        BasicFileAttributes attributes = root.regularFile(real, request.name(), id);
        FileChannel channel;
        try {
            channel = FileChannel.open(real, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new ProtocolException(ErrorCode.IO_ERROR, id, "cannot open '" + request.name() + "': " + e);
        }
        try {
            long size = channel.size();
            if (request.offsetBytes() >= size) {
                throw new ProtocolException(ErrorCode.OFFSET_PAST_END, id, "offset " + request.offsetBytes()
                        + " is at or past the end of '" + request.name() + "' (" + size + " bytes)");
            }
            int count = (int) Math.min(request.lengthBytes(), size - request.offsetBytes());
            boolean last = request.offsetBytes() + count == size;
            // Keyed by the version read just before opening: a file replaced since then gets a new key, and its
            // chunks a fresh CRC, which is what the client checks the bytes it receives against.
            int crc = size == attributes.size()
                    ? chunkCrcs.crc32c(real, size, attributes.lastModifiedTime().toMillis(), channel,
                            request.offsetBytes(), count)
                    : Checksums.crc32c(channel, request.offsetBytes(), count);
            return new OpenChunk(channel, request.offsetBytes(), count, last, crc);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new ProtocolException(ErrorCode.IO_ERROR, id, "cannot read '" + request.name() + "': " + e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
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
