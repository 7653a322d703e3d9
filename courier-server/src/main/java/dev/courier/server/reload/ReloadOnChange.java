package dev.courier.server.reload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an action when any of a few files changes (its modification time, size or identity), and on SIGHUP: how
 * certificates and token files are picked up without a restart, as nginx does on HUP and Kubernetes expects when it
 * swaps a mounted secret (it replaces a symbolic link, so files are followed and their identity compared).
 *
 * <p>Polling rather than a {@code WatchService}: a watch on the directory misses a change behind a symbolic link,
 * and a poll every couple of seconds costs a few {@code stat} calls. The action runs on this watcher's own daemon
 * thread, never on an event loop; it must keep what it had when the new files are bad (log and return). An action
 * that throws is logged and the watcher goes on.
 */
public final class ReloadOnChange implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReloadOnChange.class);
    /** Often enough that a rotated certificate is in use within seconds; a few stat calls each time. */
    public static final long DEFAULT_POLL_MILLIS = 2_000;

    private final String what;
    private final List<Path> files;
    private final Runnable action;
    private final ScheduledExecutorService thread;
    private final Runnable onHangup = this::reloadNow;
    private List<Object> lastSeen;

    private ReloadOnChange(String what, List<Path> files, Runnable action) {
        this.what = what;
        this.files = List.copyOf(files);
        this.action = action;
        this.thread = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("courier-reload-" + what).factory());
        this.lastSeen = fingerprints();
    }

    /**
     * Starts watching. The action is not run now: the caller has just loaded the files itself.
     *
     * @param what       what the files are, for the log and the thread's name ("tls", "auth")
     * @param files      the files whose change triggers the action
     * @param pollMillis how often to look, in milliseconds (positive)
     * @param action     reloads; runs on the watcher's thread, one run at a time
     */
    public static ReloadOnChange start(String what, List<Path> files, long pollMillis, Runnable action) {
        Objects.requireNonNull(action, "action");
        if (files.isEmpty() || pollMillis < 1) {
            throw new IllegalArgumentException("need files and a positive poll interval: " + files + ", " + pollMillis);
        }
        ReloadOnChange watcher = new ReloadOnChange(what, files, action);
        watcher.thread.scheduleWithFixedDelay(watcher::poll, pollMillis, pollMillis, TimeUnit.MILLISECONDS);
        Hangup.register(watcher.onHangup);
        return watcher;
    }

    /** Runs the action soon on the watcher's thread, whether or not the files changed (SIGHUP, tests). */
    public void reloadNow() {
        if (!thread.isShutdown()) {
            thread.execute(() -> run("requested"));
        }
    }

    private void poll() {
        List<Object> now = fingerprints();
        if (!now.equals(lastSeen)) {
            run("changed");
        }
    }

    private void run(String why) {
        lastSeen = fingerprints();
        log.info("{} files {}: reloading {}", what, why, files);
        try {
            action.run();
        } catch (RuntimeException e) {
            log.error("reloading {} failed; keeping what was in use: {}", what, e.toString());
        }
    }

    private List<Object> fingerprints() {
        List<Object> out = new ArrayList<>(files.size());
        for (Path file : files) {
            out.add(fingerprint(file));
        }
        return out;
    }

    private static Object fingerprint(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return List.of(a.lastModifiedTime().toMillis(), a.size(), String.valueOf(a.fileKey()));
        } catch (NoSuchFileException e) {
            return "missing";
        } catch (IOException e) {
            return "unreadable: " + e.getMessage();
        }
    }

    @Override
    public void close() {
        Hangup.unregister(onHangup);
        thread.shutdownNow();
    }
}
