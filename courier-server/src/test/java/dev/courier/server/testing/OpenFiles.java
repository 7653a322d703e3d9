package dev.courier.server.testing;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntPredicate;

/**
 * What a process has open, read from {@code /proc/PID/fd} (Linux): the operating system's own count, not the
 * server's idea of it.
 */
public final class OpenFiles {
    private OpenFiles() {
    }

    /** Descriptors of process {@code pid} open on files under {@code dir}. */
    public static int under(long pid, Path dir) throws IOException {
        Path real = dir.toRealPath();
        int n = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", String.valueOf(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    if (Files.readSymbolicLink(fd).startsWith(real)) {
                        n++;
                    }
                } catch (IOException closedMeanwhile) {
                    // The descriptor went away between the listing and the read.
                }
            }
        }
        return n;
    }

    /** All descriptors of process {@code pid}. */
    public static int all(long pid) throws IOException {
        try (var fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            return (int) fds.count();
        }
    }

    /**
     * Polls {@link #under} until it satisfies {@code done} or {@code timeoutMillis} pass; returns the last count.
     * Polling the operating system with a deadline, not sleeping for a guessed time.
     */
    public static int awaitUnder(long pid, Path dir, IntPredicate done, long timeoutMillis)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (true) {
            int n = under(pid, dir);
            if (done.test(n) || System.nanoTime() > deadline) {
                return n;
            }
            Thread.sleep(20);
        }
    }
}
