package dev.courier.cli;

import dev.courier.client.DownloadProgress;
import dev.courier.protocol.WireText;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar on a terminal, redrawn at most ten times a second. When the output is not a terminal it
 * draws nothing, or with {@code lines} one {@code progress DONE TOTAL} line per step for scripts. Notes (resuming,
 * starting over) are always printed, one line each, with control characters escaped: they name files, and a name
 * may come from the server.
 */
final class ProgressBar implements DownloadProgress {
    private static final long REDRAW_NANOS = 100_000_000L;
    private final PrintWriter err;
    private final String label;
    private final long startNanos = System.nanoTime();
    private long lastDrawNanos;

    private ProgressBar(PrintWriter err, String label) {
        this.err = err;
        this.label = WireText.printable(label);
    }

    private static String printable(String note) {
        return WireText.printable(note, CourierCli.MAX_MESSAGE_CHARS);
    }

    /** A bar on stderr when it is a terminal; otherwise only notes (and with {@code lines}, progress lines). */
    static DownloadProgress forTerminal(PrintWriter err, String label, boolean lines) {
        var console = System.console();
        if (console != null && console.isTerminal() && !lines) {
            return new ProgressBar(err, label);
        }
        return new DownloadProgress() {
            @Override
            public void advanced(long doneBytes, long totalBytes) {
                if (lines) {
                    synchronized (err) {
                        err.println("progress " + doneBytes + " " + totalBytes);
                        err.flush();
                    }
                }
            }

            @Override
            public void note(String message) {
                synchronized (err) {
                    err.println("courier: " + printable(message));
                    err.flush();
                }
            }
        };
    }

    @Override
    public synchronized void note(String message) {
        err.println();
        err.println("courier: " + printable(message));
        err.flush();
    }

    @Override
    public synchronized void advanced(long doneBytes, long totalBytes) {
        long now = System.nanoTime();
        if (doneBytes < totalBytes && now - lastDrawNanos < REDRAW_NANOS) {
            return;
        }
        lastDrawNanos = now;
        int width = 30;
        int filled = totalBytes == 0 ? width : (int) (width * doneBytes / totalBytes);
        double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
        err.printf(Locale.ROOT, "\r%s [%s%s] %3d%% %8.1f MB/s", label, "#".repeat(filled), ".".repeat(width - filled),
                totalBytes == 0 ? 100 : doneBytes * 100 / totalBytes, doneBytes / 1e6 / seconds);
        if (doneBytes >= totalBytes) {
            err.println();
        }
        err.flush();
    }
}
