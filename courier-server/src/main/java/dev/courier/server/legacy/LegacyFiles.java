package dev.courier.server.legacy;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Failure;
import dev.courier.server.files.FileRoot;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Answers legacy FILE requests from the same {@link FileRoot} as the main protocol, so the same names are refused
 * ({@code ..}, absolute names, links out of the root). Unlike the main protocol's reads, a legacy chunk is exact:
 * the reply has no length field, so a range that runs past the end of the file is an error rather than a short
 * read. Blocking: call it off the event loop. Thread-safe.
 */
final class LegacyFiles {
    private final FileRoot root;
    private final int maxChunkBytes;

    /** @param maxChunkBytes the longest chunk one request may ask for, in bytes */
    LegacyFiles(FileRoot root, int maxChunkBytes) {
        this.root = root;
        this.maxChunkBytes = maxChunkBytes;
    }

    /**
     * The size of the file, or the open file and the range to send. The caller owns the file in a
     * {@link LegacyReply.Chunk}.
     *
     * @throws Failure MALFORMED_REQUEST, CHUNK_TOO_LARGE, OFFSET_PAST_END, or what
     *                           {@link FileRoot#resolve} throws
     */
    LegacyReply answer(LegacyRequest.File request) {
        if (request.offsetBytes() < 0) {
            throw new Failure(ErrorCode.MALFORMED_REQUEST,
                    "offset " + request.offsetBytes() + " is negative");
        }
        if (request.lengthBytes() < 0) {
            throw new Failure(ErrorCode.MALFORMED_REQUEST,
                    "length " + request.lengthBytes() + " is negative");
        }
        if (request.lengthBytes() > maxChunkBytes) {
            throw new Failure(ErrorCode.CHUNK_TOO_LARGE, "chunk of " + request.lengthBytes()
                    + " bytes exceeds the legacy maximum of " + maxChunkBytes);
        }
        Path real = root.resolve(request.name());
        root.regularFile(real, request.name());
        FileChannel file;
        try {
            file = FileChannel.open(real, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new Failure(ErrorCode.IO_ERROR, "cannot open '" + request.name() + "': " + e);
        }
        try {
            long sizeBytes = file.size();
            if (request.isSizeQuery()) {
                close(file);
                return new LegacyReply.Size(sizeBytes);
            }
            if (request.offsetBytes() > sizeBytes - request.lengthBytes()) {
                throw new Failure(ErrorCode.OFFSET_PAST_END, "chunk of " + request.lengthBytes()
                        + " bytes at offset " + request.offsetBytes() + " runs past the end of '" + request.name()
                        + "' (" + sizeBytes + " bytes)");
            }
            return new LegacyReply.Chunk(file, request.offsetBytes(), request.lengthBytes());
        } catch (IOException e) {
            close(file);
            throw new Failure(ErrorCode.IO_ERROR, "cannot read '" + request.name() + "': " + e);
        } catch (RuntimeException e) {
            close(file);
            throw e;
        }
    }

    static void close(FileChannel file) {
        try {
            file.close();
        } catch (IOException ignored) {
            // Read-only; closing cannot lose data.
        }
    }
}
