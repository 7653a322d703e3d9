package dev.courier.cli;

import java.util.Locale;

/**
 * The text of one progress line, a pure function of what a transfer has done: bytes done and total in binary units,
 * a bar, the current rate, the time left and the time taken; once every byte is in, the phase that follows
 * (verifying, syncing) instead of a 100 % that seems stuck.
 *
 * @param label        the file's name, already printable
 * @param doneBytes    bytes in place, resumed ones included
 * @param totalBytes   the file's size
 * @param rateBytesPerSecond the current rate, over a recent window and without resumed bytes; negative when not known
 *                     yet
 * @param elapsedNanos time since the transfer started
 * @param phase        what is happening now
 */
record ProgressLine(String label, long doneBytes, long totalBytes, double rateBytesPerSecond, long elapsedNanos,
                    Phase phase) {
    /** What a transfer is doing. */
    enum Phase {
        TRANSFERRING(""),
        VERIFYING("verifying"),
        SYNCING("syncing");

        final String word;

        Phase(String word) {
            this.word = word;
        }
    }

    private static final int BAR_WIDTH = 20;

    /** The line, without a carriage return or a line break. */
    String render() {
        StringBuilder b = new StringBuilder(label).append("  ").append(size(doneBytes)).append(" / ")
                .append(size(totalBytes));
        if (phase != Phase.TRANSFERRING) {
            return b.append("  ").append(phase.word).append("...  elapsed ").append(clock(elapsedNanos / 1e9))
                    .toString();
        }
        int percent = totalBytes == 0 ? 100 : (int) (doneBytes * 100 / totalBytes);
        int filled = totalBytes == 0 ? BAR_WIDTH : (int) (BAR_WIDTH * doneBytes / totalBytes);
        b.append(String.format(Locale.ROOT, "  %3d%% [", percent)).append("#".repeat(filled))
                .append(".".repeat(BAR_WIDTH - filled)).append("]  ");
        if (rateBytesPerSecond < 0) {
            b.append("--/s  ETA --:--");
        } else {
            b.append(size(Math.round(rateBytesPerSecond))).append("/s  ETA ");
            b.append(rateBytesPerSecond == 0 ? "--:--" : clock((totalBytes - doneBytes) / rateBytesPerSecond));
        }
        return b.append("  elapsed ").append(clock(elapsedNanos / 1e9)).toString();
    }

    /** Bytes in binary units: {@code 512 B}, {@code 64.0 KiB}, {@code 1.5 GiB}. */
    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = bytes / 1024.0;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** Seconds as {@code M:SS}, or {@code H:MM:SS} from an hour. */
    static String clock(double seconds) {
        long s = (long) Math.ceil(Math.max(0, seconds));
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
