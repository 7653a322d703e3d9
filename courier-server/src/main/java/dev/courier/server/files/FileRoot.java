package dev.courier.server.files;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Failure;
import dev.courier.protocol.FileEntry;
import dev.courier.protocol.WireText;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The directory the server serves, read-only. Every name a client sends is resolved here and only here: names are
 * relative paths with {@code /} between parts; absolute names, {@code ..} parts and symbolic links that lead
 * outside the root are refused with {@link ErrorCode#OUTSIDE_ROOT}.
 *
 * <p>A name is first resolved to its real path and checked to lie inside the root, which keeps symbolic links that
 * stay inside working. What is then opened, stat'ed or listed is that real path, opened relative to a descriptor of
 * the root held for the root's life with {@code openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS)} ({@link Syscalls}):
 * a link swapped into the path after the check makes the open fail instead of leading out of the root, and the type
 * is checked on the opened descriptor, which {@code O_NONBLOCK} keeps a FIFO from blocking. Where {@code openat2}
 * is not available (not Linux, an old kernel, a seccomp filter) the root falls back to checking and then opening by
 * name, which a link swapped in between can escape, and says so once in the log when it is created.
 *
 * <p>Methods block on the file system: call them off the event loop. Thread-safe.
 */
public final class FileRoot {
    /** Suffix of a file still being written by a transfer. */
    public static final String PART_SUFFIX = ".courier-part";
    /** Suffix, after {@link #PART_SUFFIX}, of the journal of a transfer. */
    public static final String JOURNAL_SUFFIX = ".journal";
    /** After {@link #PART_SUFFIX}, in the names of an upload's lock file and its temporary copies. */
    public static final String LOCK_INFIX = ".lock";

    private static final Logger log = LoggerFactory.getLogger(FileRoot.class);
    /** Reading a file: never the controlling terminal, never blocking on a FIFO or a device. */
    private static final int READ_FLAGS = Syscalls.O_RDONLY | Syscalls.O_NONBLOCK | Syscalls.O_CLOEXEC
            | Syscalls.O_NOCTTY;
    /** Naming a file or a directory for stat or listing, without opening it for reading. */
    private static final int PATH_FLAGS = Syscalls.O_PATH | Syscalls.O_CLOEXEC;
    /** Nothing outside the root and no link at all: the path opened is a real path, so it has none. */
    private static final long CONFINED = Syscalls.RESOLVE_BENEATH | Syscalls.RESOLVE_NO_SYMLINKS
            | Syscalls.RESOLVE_NO_MAGICLINKS;
    /** Where Linux shows a process's descriptors; opening one there reopens exactly that file. */
    private static final Path PROC_SELF_FD = Path.of("/proc/self/fd");
    /** Closes a root's descriptor once nothing can use it any more: the root is unreachable. */
    private static final Cleaner CLEANER = Cleaner.create(Thread.ofPlatform().daemon().name("courier-root-cleaner")
            .factory());

    private final Path root;
    /** Names never listed nor served: the server's own files that live in the root (the recordings' cache). */
    private final Set<String> hiddenNames;
    /** The system calls of the confined opens; null where the root falls back to checking, then opening. */
    private final Syscalls sys;
    /** An {@code O_PATH} descriptor of the root, every confined open starts from; -1 without {@link #sys}. */
    private final int rootFd;

    /** @param root an existing directory; resolved to its real path once, here */
    public FileRoot(Path root) throws IOException {
        this(root, Set.of());
    }

    /**
     * @param root        an existing directory; resolved to its real path once, here
     * @param hiddenNames names, in any directory of the root, that are neither listed nor served (besides unfinished
     *                    transfers, which never are): the server's own files, when the root holds them
     */
    public FileRoot(Path root, Set<String> hiddenNames) throws IOException {
        this(root, true, hiddenNames);
    }

    /**
     * @param root     an existing directory; resolved to its real path once, here
     * @param confined open through {@code openat2} where it is available; false always checks, then opens by name
     *                 (for tests of the fallback)
     */
    FileRoot(Path root, boolean confined) throws IOException {
        this(root, confined, Set.of());
    }

    private FileRoot(Path root, boolean confined, Set<String> hiddenNames) throws IOException {
        this.hiddenNames = Set.copyOf(hiddenNames);
        this.root = root.toRealPath();
        if (!Files.isDirectory(this.root)) {
            throw new NotDirectoryException(root.toString());
        }
        Optional<Syscalls> syscalls = confined ? Syscalls.load() : Optional.empty();
        int fd = -1;
        String why = syscalls.isEmpty() ? "the foreign function API or Linux (x86_64, aarch64) is not available"
                : null;
        if (syscalls.isPresent()) {
            fd = syscalls.get().openat2(Syscalls.AT_FDCWD, this.root.toString(), PATH_FLAGS, 0);
            if (fd < 0) {
                why = fd == -Syscalls.ENOSYS || fd == -Syscalls.EPERM || fd == -Syscalls.EINVAL
                        || fd == -Syscalls.E2BIG ? "openat2 is not available (errno " + -fd + ")"
                        : "cannot open the root with openat2 (errno " + -fd + ")";
            } else if (!Files.isDirectory(PROC_SELF_FD)) {
                syscalls.get().close(fd);
                fd = -1;
                why = PROC_SELF_FD + " is not mounted";
            }
        }
        this.sys = fd >= 0 ? syscalls.get() : null;
        this.rootFd = fd;
        if (sys != null) {
            Syscalls s = sys;
            int descriptor = fd;
            // Not closed explicitly: a request still in flight would then open relative to a closed descriptor, or
            // to whatever file was given its number next. Unreachable, the root has nobody left to serve.
            CLEANER.register(this, () -> s.close(descriptor));
        }
        if (sys == null && confined) {
            log.warn("serving {} with racy confinement: {}, so names are checked and then opened by path, and a "
                    + "symbolic link swapped in between (by anyone who can write under the root) can lead outside it",
                    this.root, why);
        }
    }

    public Path path() {
        return root;
    }

    /** True when opens are confined by the kernel ({@code openat2}); false when they check, then open. */
    public boolean raceFree() {
        return sys != null;
    }

    /**
     * The real path of {@code name}, which must exist and lie inside the root after every link is followed.
     *
     * @throws Failure MALFORMED_REQUEST, OUTSIDE_ROOT, NOT_FOUND or IO_ERROR
     */
    public Path resolve(String name) {
        Path lexical = lexical(name);
        Path real;
        try {
            real = lexical.toRealPath();
        } catch (NoSuchFileException e) {
            throw notFound(name);
        } catch (AccessDeniedException e) {
            throw new Failure(ErrorCode.IO_ERROR, "permission denied: " + quoted(name));
        } catch (IOException e) {
            throw new Failure(ErrorCode.IO_ERROR, "cannot resolve " + quoted(name) + ": " + e.getMessage());
        }
        if (!real.startsWith(root)) {
            throw new Failure(ErrorCode.OUTSIDE_ROOT,
                    quoted(name) + " is a link that leads outside the served directory");
        }
        return real;
    }

    /**
     * The path {@code name} names under the root with no link followed: what {@link #resolve} returns for a name
     * with no link in it. Checks the name as {@link #resolve} does; touches no file.
     *
     * @throws Failure MALFORMED_REQUEST or OUTSIDE_ROOT
     */
    Path lexical(String name) {
        if (name.indexOf('\0') >= 0) {
            throw new Failure(ErrorCode.MALFORMED_REQUEST, "name contains a NUL byte");
        }
        if (name.startsWith("/")) {
            throw new Failure(ErrorCode.OUTSIDE_ROOT,
                    quoted(name) + " is absolute; names are relative to the served directory");
        }
        Path relative;
        try {
            relative = root.getFileSystem().getPath(name);
        } catch (InvalidPathException e) {
            throw new Failure(ErrorCode.MALFORMED_REQUEST, quoted(name) + " is not a valid path");
        }
        for (Path part : relative) {
            if (part.toString().equals("..")) {
                throw new Failure(ErrorCode.OUTSIDE_ROOT,
                        quoted(name) + " contains '..'; names must stay inside the served directory");
            }
        }
        return root.resolve(relative).normalize();
    }

    /**
     * The type and version of a resolved path as a plain {@code lstat} sees it now. Not confined: a link swapped
     * into the path can make it describe a file outside the root, so it only decides whether something already
     * opened inside the root is still current, and is never shown to a client.
     *
     * @throws Failure NOT_FOUND or IO_ERROR
     */
    FileStatus status(Path real, String name) {
        if (sys == null) {
            return javaStatus(real, name);
        }
        int[] error = new int[1];
        FileStatus s = sys.lstat(Syscalls.AT_FDCWD, real.toString(), error);
        if (s == null) {
            throw openFailure(error[0], name);
        }
        return s;
    }

    /**
     * The type and version of a resolved path, confined: the path is opened beneath the root ({@code O_PATH},
     * which reads nothing and never blocks) and the descriptor stat'ed.
     *
     * @throws Failure NOT_FOUND, OUTSIDE_ROOT (a link appeared in the path after it was resolved) or IO_ERROR
     */
    FileStatus statConfined(Path real, String name) {
        if (sys == null) {
            return javaStatus(real, name);
        }
        String relative = relative(real);
        if (relative.isEmpty()) {
            return fstat(rootFd, name);
        }
        int fd = openBeneath(relative, PATH_FLAGS, name);
        try {
            return fstat(fd, name);
        } finally {
            sys.close(fd);
        }
    }

    /**
     * Opens the regular file at a resolved path for reading, confined to the root where the kernel allows, and
     * returns it with the version of what was opened (read from the descriptor, so it is the version of these
     * bytes). The caller owns the channel.
     *
     * @throws Failure NOT_FOUND, OUTSIDE_ROOT, NOT_A_FILE or IO_ERROR
     */
    Opened openFile(Path real, String name) {
        if (sys == null) {
            return openByName(real, name);
        }
        String relative = relative(real);
        if (relative.isEmpty()) {
            throw notAFile(name);
        }
        int fd = openBeneath(relative, READ_FLAGS, name);
        try {
            FileStatus s = fstat(fd, name);
            if (!s.regular()) {
                throw notAFile(name);
            }
            // The JDK makes no FileChannel of a raw descriptor, but opening /proc/self/fd/N opens the very file N
            // refers to (a regular file, checked just above, so the open cannot block), whatever its name is now.
            FileChannel channel = FileChannel.open(PROC_SELF_FD.resolve(Integer.toString(fd)),
                    StandardOpenOption.READ);
            return new Opened(channel, s.version());
        } catch (IOException e) {
            throw new Failure(ErrorCode.IO_ERROR, "cannot open " + quoted(name) + ": " + e.getMessage());
        } finally {
            sys.close(fd);
        }
    }

    /** An open regular file and the version the descriptor had when it was opened. */
    record Opened(FileChannel channel, FileVersion version) {
    }

    /**
     * The entries of a directory, sorted by name. Links that lead outside the root are left out, as are entries
     * that vanish while the listing is made, unfinished transfers and the recordings' column-file cache.
     */
    public List<FileEntry> list(String path) {
        Path dir = path.isEmpty() || path.equals(".") ? root : resolve(path);
        if (sys == null) {
            return listByName(dir, path);
        }
        String relative = relative(dir);
        int fd = relative.isEmpty() ? rootFd : openBeneath(relative, PATH_FLAGS, path);
        try {
            if (fstat(fd, path).type() != FileStatus.Type.DIRECTORY) {
                throw notADirectory(path);
            }
            // The directory the descriptor names, whatever has been renamed or swapped since it was opened.
            int dirFd = fd;
            return entries(PROC_SELF_FD.resolve(Integer.toString(fd)), path,
                    p -> entryAt(dirFd, dir, p.getFileName().toString()));
        } finally {
            if (fd != rootFd) {
                sys.close(fd);
            }
            Reference.reachabilityFence(this);
        }
    }

    /** One entry of a directory open as {@code dirFd}: stat'ed by name in that directory, links followed inside. */
    private FileEntry entryAt(int dirFd, Path dir, String name) {
        if (hidden(name)) {
            return null;
        }
        int[] error = new int[1];
        FileStatus s = sys.lstat(dirFd, name, error);
        if (s == null) {
            return null;
        }
        if (s.type() == FileStatus.Type.LINK) {
            try {
                Path real = dir.resolve(name).toRealPath();
                if (!real.startsWith(root)) {
                    return null;
                }
                s = statConfined(real, name);
            } catch (IOException | Failure e) {
                return null;
            }
        }
        boolean directory = s.type() == FileStatus.Type.DIRECTORY;
        return new FileEntry(name, directory, directory ? 0 : s.version().sizeBytes(), s.version().modifiedMillis());
    }

    private int openBeneath(String relative, int flags, String name) {
        int fd;
        try {
            fd = sys.openat2(rootFd, relative, flags, CONFINED);
        } finally {
            // The cleaner must not close the root's descriptor while it is being used.
            Reference.reachabilityFence(this);
        }
        if (fd < 0) {
            throw openFailure(-fd, name);
        }
        return fd;
    }

    private FileStatus fstat(int fd, String name) {
        int[] error = new int[1];
        FileStatus s;
        try {
            s = sys.fstat(fd, error);
        } finally {
            Reference.reachabilityFence(this);
        }
        if (s == null) {
            throw openFailure(error[0], name);
        }
        return s;
    }

    private String relative(Path real) {
        return root.relativize(real).toString();
    }

    /** What a failed open, stat or openat2 of a name means to the client. */
    private static Failure openFailure(int errno, String name) {
        return switch (errno) {
            case Syscalls.ENOENT, Syscalls.ENOTDIR -> notFound(name);
            // A link where the real path had none: the path was changed after it was resolved.
            case Syscalls.ELOOP, Syscalls.EXDEV -> new Failure(ErrorCode.OUTSIDE_ROOT, quoted(name)
                    + " changed while it was opened: a link in its path now leads elsewhere");
            case Syscalls.EACCES, Syscalls.EPERM -> new Failure(ErrorCode.IO_ERROR, "permission denied: "
                    + quoted(name));
            case Syscalls.EMFILE, Syscalls.ENFILE -> new Failure(ErrorCode.IO_ERROR, "cannot open " + quoted(name)
                    + ": the server has too many files open; try again later");
            case Syscalls.ENAMETOOLONG -> new Failure(ErrorCode.IO_ERROR, "name too long: " + quoted(name));
            default -> new Failure(ErrorCode.IO_ERROR, "cannot open " + quoted(name) + ": errno " + errno);
        };
    }

    // ---- The fallback: check, then open by name. ----

    private Opened openByName(Path real, String name) {
        if (!javaStatus(real, name).regular()) {
            throw notAFile(name);
        }
        try {
            FileChannel channel = FileChannel.open(real, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            try {
                return new Opened(channel, javaStatus(real, name).version());
            } catch (Failure e) {
                channel.close();
                throw e;
            }
        } catch (NoSuchFileException e) {
            throw notFound(name);
        } catch (IOException e) {
            throw new Failure(ErrorCode.IO_ERROR, "cannot open " + quoted(name) + ": " + e.getMessage());
        }
    }

    private List<FileEntry> listByName(Path dir, String path) {
        if (!Files.isDirectory(dir)) {
            throw notADirectory(path);
        }
        return entries(dir, path, this::entryByName);
    }

    /** The entries of the directory read at {@code dir}, as {@code entry} makes them (null leaves one out), by name. */
    private static List<FileEntry> entries(Path dir, String path, Function<Path, FileEntry> entry) {
        List<FileEntry> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path p : stream) {
                FileEntry e = entry.apply(p);
                if (e != null) {
                    entries.add(e);
                }
            }
        } catch (IOException e) {
            throw new Failure(ErrorCode.IO_ERROR, "cannot list " + quoted(path) + ": " + e.getMessage());
        }
        entries.sort(Comparator.comparing(FileEntry::name));
        return entries;
    }

    private FileEntry entryByName(Path p) {
        String name = p.getFileName().toString();
        if (hidden(name)) {
            return null;
        }
        try {
            Path real = p.toRealPath();
            if (!real.startsWith(root)) {
                return null;
            }
            BasicFileAttributes a = Files.readAttributes(real, BasicFileAttributes.class);
            boolean dir = a.isDirectory();
            return new FileEntry(name, dir, dir ? 0 : a.size(), a.lastModifiedTime().toMillis());
        } catch (IOException e) {
            return null;
        }
    }

    /** The status through the JDK: the unix attribute view where there is one, the basic attributes elsewhere. */
    private static FileStatus javaStatus(Path p, String name) {
        try {
            try {
                Map<String, Object> a = Files.readAttributes(p, "unix:mode,dev,ino,size,lastModifiedTime,ctime",
                        LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) a.get("mode");
                FileStatus.Type type = switch (mode & Syscalls.S_IFMT) {
                    case Syscalls.S_IFREG -> FileStatus.Type.REGULAR;
                    case Syscalls.S_IFDIR -> FileStatus.Type.DIRECTORY;
                    case Syscalls.S_IFLNK -> FileStatus.Type.LINK;
                    default -> FileStatus.Type.OTHER;
                };
                return new FileStatus(type, new FileVersion((Long) a.get("dev"), (Long) a.get("ino"),
                        (Long) a.get("size"), nanos((FileTime) a.get("lastModifiedTime")),
                        nanos((FileTime) a.get("ctime"))));
            } catch (UnsupportedOperationException | IllegalArgumentException noUnixView) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                FileStatus.Type type = a.isRegularFile() ? FileStatus.Type.REGULAR
                        : a.isDirectory() ? FileStatus.Type.DIRECTORY
                        : a.isSymbolicLink() ? FileStatus.Type.LINK : FileStatus.Type.OTHER;
                Object key = a.fileKey();
                return new FileStatus(type, new FileVersion(0, key == null ? 0 : key.hashCode(), a.size(),
                        nanos(a.lastModifiedTime()), 0));
            }
        } catch (NoSuchFileException e) {
            throw notFound(name);
        } catch (IOException e) {
            throw new Failure(ErrorCode.IO_ERROR, "cannot stat " + quoted(name) + ": " + e.getMessage());
        }
    }

    private static long nanos(FileTime t) {
        return t.to(TimeUnit.NANOSECONDS);
    }

    private boolean hidden(String name) {
        // An unfinished transfer is not a file yet.
        return name.endsWith(PART_SUFFIX) || name.endsWith(PART_SUFFIX + JOURNAL_SUFFIX)
                || name.contains(PART_SUFFIX + LOCK_INFIX) || hiddenNames.contains(name);
    }

    static String quoted(String name) {
        return "'" + WireText.printable(name) + "'";
    }

    private static Failure notFound(String name) {
        return new Failure(ErrorCode.NOT_FOUND, "no such file: " + quoted(name));
    }

    static Failure notAFile(String name) {
        return new Failure(ErrorCode.NOT_A_FILE, quoted(name) + " is not a regular file");
    }

    private static Failure notADirectory(String path) {
        return new Failure(ErrorCode.NOT_A_DIRECTORY, quoted(path) + " is not a directory");
    }
}
