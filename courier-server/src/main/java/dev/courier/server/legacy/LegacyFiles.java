package dev.courier.server.legacy;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Failure;
import dev.courier.server.files.FileService;
import dev.courier.server.files.OpenFile;
import dev.courier.server.files.OpenFiles;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;

/**
 * Answers legacy FILE requests from the same files as the main protocol, through the same {@link OpenFiles}: the
 * same names are refused ({@code ..}, absolute names, links out of the root), files are opened confined to the root
 * and their descriptors shared with every other request. Unlike the main protocol's reads, a legacy chunk is exact:
 * the reply has no length field, so a range that runs past the end of the file is an error rather than a short
 * read.
 *
 * <p>Two ways in. {@link #answerCached} is for the event loop: a size query or a chunk of at most
 * {@link #MAX_CACHED_CHUNK_BYTES}, of a file already open and unchanged, answered with one {@code lstat} and one
 * positional read, or null when that is not possible. {@link #answer} is the general one, which may open the file:
 * call it off the event loop. Thread-safe.
 */
final class LegacyFiles {
    /**
     * The longest chunk answered on the event loop, in bytes. Small chunks are latency-bound: the hop to the blocking
     * executor and back costs more than the copy of the bytes. Bigger chunks go out zero-copy, from the executor's
     * answer.
     */
    static final int MAX_CACHED_CHUNK_BYTES = 64 << 10;

    private final OpenFiles files;
    private final int maxChunkBytes;

    /** @param maxChunkBytes the longest chunk one request may ask for, in bytes */
    LegacyFiles(FileService files, int maxChunkBytes) {
        this.files = files.openFiles();
        this.maxChunkBytes = maxChunkBytes;
    }

    /**
     * The size of the file, or the shared open file and the range to send. A {@link LegacyReply.Chunk} holds one
     * reference to the file, which its file region releases once sent or dropped. Blocking.
     *
     * @throws Failure MALFORMED_REQUEST, CHUNK_TOO_LARGE, OFFSET_PAST_END, or what {@link OpenFiles#acquire} throws
     */
    LegacyReply answer(LegacyRequest.File request) {
        checkArguments(request);
        OpenFile file = files.acquire(request.name());
        long sizeBytes = file.version().sizeBytes();
        if (request.isSizeQuery()) {
            file.release();
            return new LegacyReply.Size(sizeBytes);
        }
        try {
            checkRange(request, sizeBytes);
        } catch (Failure e) {
            file.release();
            throw e;
        }
        return new LegacyReply.Chunk(file, request.offsetBytes(), request.lengthBytes());
    }

    /**
     * The answer to a size query or a chunk of at most {@link #MAX_CACHED_CHUNK_BYTES} when the file is already
     * open and still the version that was opened ({@link OpenFiles#acquireCached}); null when the request must go
     * to {@link #answer}. A chunk's bytes are read here into a buffer, with one positional read (from the page cache,
     * where sendfile on the event loop would read them too), so a file cut short since its version was checked is
     * caught before a byte of the reply goes out. Never opens a file; for the event loop.
     *
     * @param alloc where the chunk's buffer comes from; the reply owns it
     * @throws Failure MALFORMED_REQUEST, CHUNK_TOO_LARGE, OFFSET_PAST_END, FILE_CHANGED (the file shrank under the
     *                 read), IO_ERROR, or OUTSIDE_ROOT for a name refused as it reads
     */
    LegacyReply answerCached(LegacyRequest.File request, ByteBufAllocator alloc) {
        checkArguments(request);
        if (request.lengthBytes() > MAX_CACHED_CHUNK_BYTES) {
            return null;
        }
        OpenFile file = files.acquireCached(request.name());
        if (file == null) {
            return null;
        }
        try {
            long sizeBytes = file.version().sizeBytes();
            if (request.isSizeQuery()) {
                return new LegacyReply.Size(sizeBytes);
            }
            checkRange(request, sizeBytes);
            return new LegacyReply.Bytes(read(file, request, alloc));
        } finally {
            file.release();
        }
    }

    private static ByteBuf read(OpenFile file, LegacyRequest.File request, ByteBufAllocator alloc) {
        int length = request.lengthBytes();
        ByteBuf bytes = alloc.ioBuffer(length, length);
        try {
            while (bytes.writerIndex() < length) {
                int read = bytes.writeBytes(file.channel(), request.offsetBytes() + bytes.writerIndex(),
                        length - bytes.writerIndex());
                if (read < 0) {
                    throw new Failure(ErrorCode.FILE_CHANGED, "'" + request.name() + "' shrank to "
                            + (request.offsetBytes() + bytes.writerIndex()) + " bytes while a chunk of "
                            + length + " bytes at offset " + request.offsetBytes() + " was read");
                }
            }
            return bytes;
        } catch (IOException e) {
            bytes.release();
            throw new Failure(ErrorCode.IO_ERROR, "cannot read '" + request.name() + "': "
                    + e.getMessage());
        } catch (RuntimeException e) {
            bytes.release();
            throw e;
        }
    }

    private void checkArguments(LegacyRequest.File request) {
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
    }

    private static void checkRange(LegacyRequest.File request, long sizeBytes) {
        if (request.offsetBytes() > sizeBytes - request.lengthBytes()) {
            throw new Failure(ErrorCode.OFFSET_PAST_END, "chunk of " + request.lengthBytes()
                    + " bytes at offset " + request.offsetBytes() + " runs past the end of '" + request.name()
                    + "' (" + sizeBytes + " bytes)");
        }
    }
}
