package dev.courier.server.files;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;
import java.util.Optional;

/**
 * The three Linux system calls that confine file access to the served root and that the JDK does not offer, called
 * through the foreign function API (glibc's {@code syscall}, {@code statx} and {@code close}):
 *
 * <ul>
 *   <li>{@code openat2(2)} opens a path relative to the root's directory descriptor with {@code RESOLVE_BENEATH}
 *       and {@code RESOLVE_NO_SYMLINKS}: the kernel refuses any step out of the root and any symbolic link, so
 *       the containment check and the open are one step, and no link swapped in after a check can redirect it.
 *       glibc 2.36 has no wrapper, so it goes through the variadic {@code syscall(SYS_openat2, ...)}.</li>
 *   <li>{@code statx(2)} reads the type and identity of what was opened (on the descriptor, {@code AT_EMPTY_PATH}),
 *       or of a path without following its last link ({@code AT_SYMLINK_NOFOLLOW}).</li>
 *   <li>{@code close(2)} closes a raw descriptor.</li>
 * </ul>
 *
 * <p>Only on Linux x86_64 and aarch64, where the flag values below hold (they are asm-generic there) and
 * {@code SYS_openat2} is 437. Every call returns the non-negative result or {@code -errno}, as the kernel does.
 * Thread-safe and stateless; each call allocates its native arguments in a confined arena of its own.
 */
final class Syscalls {
    /** {@code open(2)} flags, identical on x86_64 and aarch64. */
    static final int O_RDONLY = 0;
    static final int O_NOCTTY = 0x100;
    static final int O_NONBLOCK = 0x800;
    static final int O_CLOEXEC = 0x80000;
    static final int O_PATH = 0x200000;

    /** {@code openat2(2)} resolve flags. */
    static final long RESOLVE_NO_MAGICLINKS = 0x02;
    static final long RESOLVE_NO_SYMLINKS = 0x04;
    static final long RESOLVE_BENEATH = 0x08;

    /** The syscall number of {@code openat2} on x86_64 and aarch64 (and every asm-generic architecture). */
    static final long SYS_OPENAT2 = 437;

    static final int AT_FDCWD = -100;
    static final int AT_SYMLINK_NOFOLLOW = 0x100;
    static final int AT_EMPTY_PATH = 0x1000;
    /** Type, mode, links, owner, times, inode, size, blocks: all {@code stat(2)} has. */
    static final int STATX_BASIC_STATS = 0x7ff;

    static final int S_IFMT = 0xF000;
    static final int S_IFREG = 0x8000;
    static final int S_IFDIR = 0x4000;
    static final int S_IFLNK = 0xA000;

    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int E2BIG = 7;
    static final int EACCES = 13;
    static final int EXDEV = 18;
    static final int ENOTDIR = 20;
    static final int EINVAL = 22;
    static final int ENFILE = 23;
    static final int EMFILE = 24;
    static final int ENAMETOOLONG = 36;
    static final int ENOSYS = 38;
    static final int ELOOP = 40;

    /** {@code struct open_how { u64 flags; u64 mode; u64 resolve; }}. */
    private static final StructLayout OPEN_HOW = MemoryLayout.structLayout(
            ValueLayout.JAVA_LONG.withName("flags"),
            ValueLayout.JAVA_LONG.withName("mode"),
            ValueLayout.JAVA_LONG.withName("resolve"));
    /** {@code struct statx} is 256 bytes; the offsets of the fields read here are fixed by the kernel ABI. */
    private static final long STATX_BYTES = 256;
    private static final long STX_MODE = 28;
    private static final long STX_INO = 32;
    private static final long STX_SIZE = 40;
    private static final long STX_CTIME = 96;
    private static final long STX_MTIME = 112;
    private static final long STX_DEV_MAJOR = 136;
    private static final long STX_DEV_MINOR = 140;
    /** In a {@code struct statx_timestamp}: {@code i64 tv_sec}, then {@code u32 tv_nsec}. */
    private static final long TV_NSEC = 8;

    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private final MethodHandle syscall;
    private final MethodHandle statx;
    private final MethodHandle close;

    private Syscalls(MethodHandle syscall, MethodHandle statx, MethodHandle close) {
        this.syscall = syscall;
        this.statx = statx;
        this.close = close;
    }

    /**
     * The bindings, or empty where they cannot work: not Linux, another architecture, a libc without
     * {@code statx}, or native access refused.
     */
    static Optional<Syscalls> load() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))) {
            return Optional.empty();
        }
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            Linker.Option errno = Linker.Option.captureCallState("errno");
            // long syscall(long number, ...): every variadic argument passed as a full 64-bit word.
            MethodHandle syscall = linker.downcallHandle(libc.find("syscall").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                            ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
                    Linker.Option.firstVariadicArg(1), errno);
            // int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *buf)
            MethodHandle statx = linker.downcallHandle(libc.find("statx").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS), errno);
            // int close(int fd)
            MethodHandle close = linker.downcallHandle(libc.find("close").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), errno);
            return Optional.of(new Syscalls(syscall, statx, close));
        } catch (RuntimeException | LinkageError e) {
            // IllegalCallerException when native access is not enabled, NoSuchElementException for a missing symbol.
            return Optional.empty();
        }
    }

    /**
     * {@code openat2(dirFd, path, {flags, 0, resolve})}.
     *
     * @param dirFd a directory descriptor; {@code path} is resolved from it
     * @return the new descriptor, or {@code -errno}
     */
    int openat2(int dirFd, String path, int flags, long resolve) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment how = arena.allocate(OPEN_HOW);
            how.set(ValueLayout.JAVA_LONG, 0, flags);
            how.set(ValueLayout.JAVA_LONG, 8, 0L);
            how.set(ValueLayout.JAVA_LONG, 16, resolve);
            MemorySegment capture = arena.allocate(CAPTURE);
            long r = (long) syscall.invokeExact(capture, SYS_OPENAT2, (long) dirFd, arena.allocateFrom(path), how,
                    OPEN_HOW.byteSize());
            return r >= 0 ? (int) r : -errno(capture);
        } catch (Throwable t) {
            throw unexpected("openat2", t);
        }
    }

    /**
     * The type and version of an open descriptor: {@code statx(fd, "", AT_EMPTY_PATH)}.
     *
     * @return the status, or null with {@code -errno} in {@code error[0]}
     */
    FileStatus fstat(int fd, int[] error) {
        return statx(fd, "", AT_EMPTY_PATH, error);
    }

    /**
     * The type and version of what {@code path} names, its last link not followed:
     * {@code statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW)}; or, with {@code dirFd}, of a name in that directory.
     *
     * @return the status, or null with {@code -errno} in {@code error[0]}
     */
    FileStatus lstat(int dirFd, String path, int[] error) {
        return statx(dirFd, path, AT_SYMLINK_NOFOLLOW, error);
    }

    private FileStatus statx(int dirFd, String path, int flags, int[] error) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(STATX_BYTES, 8);
            MemorySegment capture = arena.allocate(CAPTURE);
            int r = (int) statx.invokeExact(capture, dirFd, arena.allocateFrom(path), flags, STATX_BASIC_STATS, buf);
            if (r != 0) {
                error[0] = -errno(capture);
                return null;
            }
            int mode = Short.toUnsignedInt(buf.get(ValueLayout.JAVA_SHORT, STX_MODE));
            long device = (Integer.toUnsignedLong(buf.get(ValueLayout.JAVA_INT, STX_DEV_MAJOR)) << 32)
                    | Integer.toUnsignedLong(buf.get(ValueLayout.JAVA_INT, STX_DEV_MINOR));
            FileVersion version = new FileVersion(device, buf.get(ValueLayout.JAVA_LONG, STX_INO),
                    buf.get(ValueLayout.JAVA_LONG, STX_SIZE), nanos(buf, STX_MTIME), nanos(buf, STX_CTIME));
            return new FileStatus(type(mode), version);
        } catch (Throwable t) {
            throw unexpected("statx", t);
        }
    }

    /** {@code close(fd)}; a failure is ignored, as nothing was written through these descriptors. */
    void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) close.invokeExact(arena.allocate(CAPTURE), fd);
        } catch (Throwable t) {
            throw unexpected("close", t);
        }
    }

    private static FileStatus.Type type(int mode) {
        return switch (mode & S_IFMT) {
            case S_IFREG -> FileStatus.Type.REGULAR;
            case S_IFDIR -> FileStatus.Type.DIRECTORY;
            case S_IFLNK -> FileStatus.Type.LINK;
            default -> FileStatus.Type.OTHER;
        };
    }

    private static long nanos(MemorySegment buf, long timestamp) {
        return buf.get(ValueLayout.JAVA_LONG, timestamp) * 1_000_000_000L
                + Integer.toUnsignedLong(buf.get(ValueLayout.JAVA_INT, timestamp + TV_NSEC));
    }

    private static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    private static IllegalStateException unexpected(String call, Throwable t) {
        return new IllegalStateException(call + " through the foreign function API failed: " + t, t);
    }
}
