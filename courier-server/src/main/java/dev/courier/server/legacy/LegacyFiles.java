package dev.courier.server.legacy;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Failure;
import dev.courier.server.files.FileService;
import dev.courier.server.files.OpenFile;
import dev.courier.server.files.OpenFiles;

/**
 * Answers legacy FILE requests from the same files as the main protocol, through the same {@link OpenFiles}: the
 * same names are refused ({@code ..}, absolute names, links out of the root), files are opened confined to the root
 * and their descriptors shared with every other request. Unlike the main protocol's reads, a legacy chunk is exact:
 * the reply has no length field, so a range that runs past the end of the file is an error rather than a short
 * read. Blocking: call it off the event loop. Thread-safe.
 */
final class LegacyFiles {
    private final OpenFiles files;
    private final int maxChunkBytes;

    /** @param maxChunkBytes the longest chunk one request may ask for, in bytes */
    LegacyFiles(FileService files, int maxChunkBytes) {
        this.files = files.openFiles();
        this.maxChunkBytes = maxChunkBytes;
    }

    /**
     * The size of the file, or the shared open file and the range to send. A {@link LegacyReply.Chunk} holds one
     * reference to the file, which its file region releases once sent or dropped.
     *
     * @throws Failure MALFORMED_REQUEST, CHUNK_TOO_LARGE, OFFSET_PAST_END, or what {@link OpenFiles#acquire} throws
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
        OpenFile file = files.acquire(request.name());
        long sizeBytes = file.version().sizeBytes();
        if (request.isSizeQuery()) {
            file.release();
            return new LegacyReply.Size(sizeBytes);
        }
        if (request.offsetBytes() > sizeBytes - request.lengthBytes()) {
            file.release();
            throw new Failure(ErrorCode.OFFSET_PAST_END, "chunk of " + request.lengthBytes()
                    + " bytes at offset " + request.offsetBytes() + " runs past the end of '" + request.name()
                    + "' (" + sizeBytes + " bytes)");
        }
        return new LegacyReply.Chunk(file, request.offsetBytes(), request.lengthBytes());
    }
}
