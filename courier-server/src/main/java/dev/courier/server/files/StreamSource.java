package dev.courier.server.files;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Failure;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The one version of a file that a stream sends: opened, confined and checked against the version the client asked
 * for once, when the stream starts ({@link FileService#openStream}), then re-checked for each batch of chunks whose
 * CRC32Cs {@link #crc32cs} gives. Holds one reference to the shared {@link OpenFile} until {@link #release()}.
 *
 * <p>{@link #crc32cs} blocks (a stat, and reads where the cache has no CRC): call it off the event loop, holding a
 * reference of its own ({@link #retain()}) so that a stream ended meanwhile cannot close the file under it. The other
 * methods may be called anywhere. Thread-safe.
 */
public final class StreamSource {
    private final FileRoot root;
    private final ChunkChecksums chunkCrcs;
    private final OpenFile file;
    private final Path real;
    private final String name;

    StreamSource(FileRoot root, ChunkChecksums chunkCrcs, OpenFile file, Path real, String name) {
        this.root = root;
        this.chunkCrcs = chunkCrcs;
        this.file = file;
        this.real = real;
        this.name = name;
    }

    /** The shared open file, for sendfile; the stream's reference to it is this source's. */
    public OpenFile file() {
        return file;
    }

    /** The size of the version that is streamed. */
    public long sizeBytes() {
        return file.version().sizeBytes();
    }

    /**
     * The CRC32Cs of the chunks of {@code chunkBytes} from {@code offsetBytes} to {@code endBytes} (the last may be
     * shorter), from the per-version cache or read now, after checking that the name still names the version that
     * was opened: the same inode, size and times. A file replaced, changed in place or truncated since the stream
     * started is FILE_CHANGED, so no chunk of another version goes out under this one's name.
     *
     * @throws Failure FILE_CHANGED, IO_ERROR, or a path error when the name has gone
     */
    public int[] crc32cs(long offsetBytes, long endBytes, int chunkBytes) {
        FileStatus now = root.status(real, name);
        if (!now.version().equals(file.version())) {
            throw changed("it changed while it was streamed");
        }
        try {
            return chunkCrcs.crc32cs(file, offsetBytes, endBytes, chunkBytes);
        } catch (EOFException e) {
            throw changed(e.getMessage());
        } catch (IOException e) {
            throw new Failure(ErrorCode.IO_ERROR, "cannot read " + FileRoot.quoted(name) + ": " + e.getMessage());
        }
    }

    /**
     * Whether the open file still holds {@code endBytes}: an {@code fstat}, cheap enough for the event loop before
     * each chunk goes out by sendfile, which would otherwise cut the frame short (and the connection with it) on a
     * file truncated since its batch was checked.
     *
     * @throws Failure FILE_CHANGED when it does not, IO_ERROR when the size cannot be read
     */
    public void checkHolds(long endBytes) {
        long size;
        try {
            size = file.channel().size();
        } catch (IOException e) {
            throw new Failure(ErrorCode.IO_ERROR, "cannot read " + FileRoot.quoted(name) + ": " + e.getMessage());
        }
        if (size < endBytes) {
            throw changed("it shrank to " + size + " bytes while it was streamed");
        }
    }

    /** One more reference to the file, for a task that reads it; released with {@link #release()}. */
    public StreamSource retain() {
        file.retain();
        return this;
    }

    /** Gives one reference back. */
    public void release() {
        file.release();
    }

    private Failure changed(String why) {
        return new Failure(ErrorCode.FILE_CHANGED, FileRoot.quoted(name) + " changed: " + why + "; ask again");
    }
}
