package dev.courier.cli.common;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A file written under a temporary name in its folder and renamed to its own name once complete ({@link #commit()}),
 * so a reader sees the old file or the whole new one, never a part, and a command that fails half-way leaves no
 * file at all ({@link #close()} without commit deletes the temporary). For one thread.
 */
public final class AtomicFile implements Closeable {
    private final Path target;
    private final Path temporary;
    private final OutputStream out;
    private boolean committed;

    private AtomicFile(Path target, Path temporary, OutputStream out) {
        this.target = target;
        this.temporary = temporary;
        this.out = out;
    }

    /**
     * Starts writing {@code target}.
     *
     * @throws IOException if its folder does not exist or cannot be written
     */
    public static AtomicFile create(Path target) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path folder = absolute.getParent();
        if (folder == null || !Files.isDirectory(folder)) {
            throw new IOException("cannot write " + target + ": there is no folder " + folder);
        }
        if (Files.isDirectory(absolute)) {
            throw new IOException("cannot write " + target + ": it is a folder");
        }
        // Not Files.createTempFile: its files are owner-only, and the file should get the umask's permissions.
        Path temporary = folder.resolve("." + absolute.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong())
                + ".part");
        return new AtomicFile(absolute, temporary, Files.newOutputStream(temporary, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE));
    }

    /** The temporary file's stream; not buffered. */
    public OutputStream stream() {
        return out;
    }

    /** Closes the stream and gives the file its name, replacing any file of that name. */
    public void commit() throws IOException {
        out.close();
        try {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING); // same folder: rare, still whole
        }
        committed = true;
    }

    /** Deletes the temporary file unless {@link #commit()} renamed it. */
    @Override
    public void close() throws IOException {
        if (!committed) {
            try {
                out.close();
            } finally {
                Files.deleteIfExists(temporary);
            }
        }
    }
}
