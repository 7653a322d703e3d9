package dev.courier.cli;

import dev.courier.client.files.DownloadProgress;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar on a terminal, redrawn at most ten times a second. Prints nothing when the output is
 * not a terminal, so logs and pipes stay clean.
 */
final class ProgressBar implements DownloadProgress {
    private static final long REDRAW_NANOS = 100_000_000L;
    private final PrintWriter err;
    private final String label;
    private final long startNanos = System.nanoTime();
    private long lastDrawNanos;

    private ProgressBar(PrintWriter err, String label) {
        this.err = err;
        this.label = label;
    }

    /** A bar on stderr when it is a terminal; {@link DownloadProgress#NONE} otherwise. */
    static DownloadProgress forTerminal(PrintWriter err, String label) {
        var console = System.console();
        return console != null && console.isTerminal() ? new ProgressBar(err, label) : DownloadProgress.NONE;
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
