package dev.courier.server.files;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.FileEntry;
import dev.courier.protocol.Failure;
import dev.courier.server.points.RecordingCache;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The directory the server serves, read-only. Every name a client sends is resolved here and only here: names are
 * relative paths with {@code /} between parts; absolute names, {@code ..} parts and symbolic links that lead
 * outside the root are refused with {@link ErrorCode#OUTSIDE_ROOT}. Methods block on the file system: call them
 * off the event loop.
 */
public final class FileRoot {
    /** Suffix of a file still being written by a transfer. */
    public static final String PART_SUFFIX = ".courier-part";
    /** Suffix, after {@link #PART_SUFFIX}, of the journal of a transfer. */
    public static final String JOURNAL_SUFFIX = ".journal";

    private final Path root;

    /** @param root an existing directory; resolved to its real path once, here */
    public FileRoot(Path root) throws IOException {
        this.root = root.toRealPath();
        if (!Files.isDirectory(this.root)) {
            throw new NotDirectoryException(root.toString());
        }
    }

    public Path path() {
        return root;
    }

    /**
     * The real path of {@code name}, which must exist and lie inside the root after every link is followed.
     *
     * @throws Failure MALFORMED_REQUEST, OUTSIDE_ROOT, NOT_FOUND or IO_ERROR
     */
    public Path resolve(String name) {
        if (name.indexOf('\0') >= 0) {
            throw new Failure(ErrorCode.MALFORMED_REQUEST, "name contains a NUL byte");
        }
        if (name.startsWith("/")) {
            throw new Failure(ErrorCode.OUTSIDE_ROOT,
                    "'" + name + "' is absolute; names are relative to the served directory");
        }
        Path relative;
        try {
            relative = root.getFileSystem().getPath(name);
        } catch (InvalidPathException e) {
            throw new Failure(ErrorCode.MALFORMED_REQUEST, "'" + name + "' is not a valid path");
        }
        for (Path part : relative) {
            if (part.toString().equals("..")) {
                throw new Failure(ErrorCode.OUTSIDE_ROOT,
                        "'" + name + "' contains '..'; names must stay inside the served directory");
            }
        }
        Path real;
        try {
            real = root.resolve(relative).toRealPath();
        } catch (NoSuchFileException e) {
            throw new Failure(ErrorCode.NOT_FOUND, "no such file: '" + name + "'");
        } catch (AccessDeniedException e) {
            throw new Failure(ErrorCode.IO_ERROR, "permission denied: '" + name + "'");
        } catch (IOException e) {
            throw new Failure(ErrorCode.IO_ERROR, "cannot resolve '" + name + "': " + e);
        }
        if (!real.startsWith(root)) {
            throw new Failure(ErrorCode.OUTSIDE_ROOT,
                    "'" + name + "' is a link that leads outside the served directory");
        }
        return real;
    }

    /** Attributes of a resolved path, read without following links (the path is already real). */
    public BasicFileAttributes attributes(Path real, String name) {
        try {
            return Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new Failure(ErrorCode.NOT_FOUND, "no such file: '" + name + "'");
        } catch (IOException e) {
            throw new Failure(ErrorCode.IO_ERROR, "cannot stat '" + name + "': " + e);
        }
    }

    /** The attributes of a regular file, or NOT_A_FILE. */
    public BasicFileAttributes regularFile(Path real, String name) {
        BasicFileAttributes a = attributes(real, name);
        if (!a.isRegularFile()) {
            throw new Failure(ErrorCode.NOT_A_FILE, "'" + name + "' is not a regular file");
        }
        return a;
    }

    /**
     * The entries of a directory, sorted by name. Links that lead outside the root are left out, as are entries
     * that vanish while the listing is made, unfinished transfers and the recordings' column-file cache.
     */
    public List<FileEntry> list(String path) {
        Path dir = path.isEmpty() || path.equals(".") ? root : resolve(path);
        if (!Files.isDirectory(dir)) {
            throw new Failure(ErrorCode.NOT_A_DIRECTORY, "'" + path + "' is not a directory");
        }
        List<FileEntry> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                FileEntry e = entry(p);
                if (e != null) {
                    entries.add(e);
                }
            }
        } catch (IOException e) {
            throw new Failure(ErrorCode.IO_ERROR, "cannot list '" + path + "': " + e);
        }
        entries.sort(Comparator.comparing(FileEntry::name));
        return entries;
    }

    private FileEntry entry(Path p) {
        String name = p.getFileName().toString();
        if (name.endsWith(PART_SUFFIX) || name.endsWith(PART_SUFFIX + JOURNAL_SUFFIX)) {
            return null; // an unfinished transfer is not a file yet
        }
        if (name.equals(RecordingCache.FOLDER_NAME)) {
            return null; // the server's own column files, when the data directory is also the files root
        }
        try {
            Path real = p.toRealPath();
            if (!real.startsWith(root)) {
                return null;
            }
            BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class);
            boolean dir = a.isDirectory();
            return new FileEntry(p.getFileName().toString(), dir, dir ? 0 : a.size(), a.lastModifiedTime().toMillis());
        } catch (IOException e) {
            return null;
        }
    }
}
