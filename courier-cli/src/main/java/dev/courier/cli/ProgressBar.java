package dev.courier.cli;

import dev.courier.client.DownloadProgress;
import dev.courier.protocol.WireText;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.function.LongSupplier;

/**
 * How a transfer shows its progress on stderr: a one-line bar ({@link ProgressLine}) redrawn at most ten times a
 * second when stderr is a terminal (or {@code --progress} says so), {@code progress DONE TOTAL} lines for scripts
 * ({@code --progress-lines}), or nothing. Notes (resuming, starting over, reconnecting) are printed one line each,
 * with control characters escaped (they name files, and a name may come from the server), unless quiet.
 *
 * <p>The rate is measured over the last {@link #WINDOW_NANOS}, from the first report on: the bytes a resumed
 * transfer already had are in that first report, so they do not count as speed.
 *
 * <p>Thread-safe: lanes report at once; every method is synchronized.
 */
final class ProgressBar implements DownloadProgress {
    /** How a transfer shows its progress. */
    enum Mode {
        BAR, LINES, NOTES, QUIET
    }

    static final long REDRAW_NANOS = 100_000_000L;
    static final long WINDOW_NANOS = 5_000_000_000L;
    static final long SAMPLE_NANOS = 10_000_000L;

    private final PrintWriter err;
    private final String label;
    private final Mode mode;
    private final LongSupplier clock;
    private final long startNanos;
    /** (time, done bytes) of recent reports, oldest first; the oldest may be older than the window. */
    private final ArrayDeque<long[]> samples = new ArrayDeque<>();
    private long lastDrawNanos;
    private boolean drawn;
    private boolean drawnOnce;
    private long doneBytes;
    private long totalBytes;
    private ProgressLine.Phase phase = ProgressLine.Phase.TRANSFERRING;

    ProgressBar(PrintWriter err, String label, Mode mode, LongSupplier clock) {
        this.err = err;
        this.label = WireText.printable(label);
        this.mode = mode;
        this.clock = clock;
        this.startNanos = clock.getAsLong();
    }

    /**
     * The progress of one transfer of {@code label}: a bar when {@code force} says so (true or false; null: when
     * stderr is a terminal), lines when {@code lines}, nothing but errors when {@code quiet}.
     */
    static ProgressBar of(PrintWriter err, String label, Boolean force, boolean lines, boolean quiet) {
        Mode mode = quiet ? Mode.QUIET : lines ? Mode.LINES
                : (force != null ? force : stderrIsTerminal()) ? Mode.BAR : Mode.NOTES;
        return new ProgressBar(err, label, mode, System::nanoTime);
    }

    /** Notes only: {@code -o -}, where the bar has no place, and the library's default. */
    static ProgressBar notes(PrintWriter err, String label, boolean quiet) {
        return new ProgressBar(err, label, quiet ? Mode.QUIET : Mode.NOTES, System::nanoTime);
    }

    /**
     * Whether standard error is a terminal. On Linux {@code /proc/self/fd/2} says exactly (a {@code /dev/pts} or
     * {@code /dev/tty} device); elsewhere the JDK's console, which asks about standard input and output instead.
     */
    static boolean stderrIsTerminal() {
        Path fd = Path.of("/proc/self/fd/2");
        try {
            String target = Files.readSymbolicLink(fd).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException e) {
            var console = System.console();
            return console != null && console.isTerminal();
        }
    }

    @Override
    public synchronized void note(String message) {
        if (mode == Mode.QUIET) {
            return;
        }
        if (drawn) {
            err.println();
            drawn = false;
        }
        err.println("courier: " + WireText.printable(message, CourierCli.MAX_MESSAGE_CHARS));
        err.flush();
    }

    @Override
    public synchronized void advanced(long done, long total) {
        long now = clock.getAsLong();
        doneBytes = done;
        totalBytes = total;
        long[] newest = samples.peekLast();
        if (newest != null && now - newest[0] < SAMPLE_NANOS) {
            newest[1] = done; // one sample per SAMPLE_NANOS bounds the window's samples at any rate
        } else {
            samples.addLast(new long[] {now, done});
        }
        while (samples.size() > 2 && now - second()[0] >= WINDOW_NANOS) {
            samples.removeFirst();
        }
        if (mode == Mode.LINES) {
            err.println("progress " + done + " " + total);
            err.flush();
            return;
        }
        if (done >= total && phase == ProgressLine.Phase.TRANSFERRING) {
            phase = ProgressLine.Phase.VERIFYING; // the tail of the digest, then the sync
            draw(now);
        } else if (!drawnOnce || now - lastDrawNanos >= REDRAW_NANOS) {
            draw(now);
        }
    }

    @Override
    public synchronized void phase(Phase next) {
        switch (next) {
            case SYNCING -> phase = ProgressLine.Phase.SYNCING;
        }
        draw(clock.getAsLong());
    }

    /** The transfer ended (done or failed): ends the bar's line so what follows starts on a line of its own. */
    synchronized void end() {
        if (drawn) {
            err.println();
            err.flush();
            drawn = false;
        }
    }

    /** The current line, for the bar and for tests. */
    synchronized ProgressLine line() {
        return new ProgressLine(label, doneBytes, totalBytes, rate(), clock.getAsLong() - startNanos, phase);
    }

    private long[] second() {
        Iterator<long[]> it = samples.iterator();
        it.next();
        return it.next();
    }

    /** Bytes per second over the window; negative before two reports. */
    private double rate() {
        if (samples.size() < 2) {
            return -1;
        }
        long[] first = samples.peekFirst();
        long[] last = samples.peekLast();
        long nanos = last[0] - first[0];
        return nanos <= 0 ? -1 : (last[1] - first[1]) * 1e9 / nanos;
    }

    private void draw(long now) {
        if (mode != Mode.BAR) {
            return;
        }
        lastDrawNanos = now;
        drawnOnce = true;
        // \r and erase to the end of the line: a shorter line leaves nothing of the longer one before it.
        err.print("\r" + line().render() + "\u001b[K");
        err.flush();
        drawn = true;
    }
}
