package dev.courier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.client.DownloadProgress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The progress line as a function of its state, and the bar's rate and phases under a clock the test moves. */
class ProgressBarTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long MIB = 1 << 20;

    @Test
    void aLineHasBytesDoneAndTotalInBinaryUnitsTheRateTheEtaAndTheElapsedTime() {
        ProgressLine line = new ProgressLine("a.bin", 25 * MIB, 100 * MIB, 5.0 * MIB, 5 * SECOND,
                ProgressLine.Phase.TRANSFERRING);
        // 75 MiB left at 5 MiB/s: 15 s.
        assertThat(line.render()).isEqualTo("a.bin  25.0 MiB / 100.0 MiB   25% [#####...............]  5.0 MiB/s  "
                + "ETA 0:15  elapsed 0:05");
    }

    @Test
    void beforeARateIsKnownTheLineSaysSoAndAfterTheLastByteItNamesThePhase() {
        assertThat(new ProgressLine("f", 0, 2048, -1, 0, ProgressLine.Phase.TRANSFERRING).render())
                .isEqualTo("f  0 B / 2.0 KiB    0% [....................]  --/s  ETA --:--  elapsed 0:00");
        assertThat(new ProgressLine("f", 2048, 2048, 10, 3_700 * SECOND, ProgressLine.Phase.VERIFYING).render())
                .isEqualTo("f  2.0 KiB / 2.0 KiB  verifying...  elapsed 1:01:40");
        assertThat(new ProgressLine("f", 2048, 2048, 10, SECOND / 2, ProgressLine.Phase.SYNCING).render())
                .isEqualTo("f  2.0 KiB / 2.0 KiB  syncing...  elapsed 0:01");
    }

    @Test
    void sizesAndClocksAreReadable() {
        assertThat(ProgressLine.size(512)).isEqualTo("512 B");
        assertThat(ProgressLine.size(1536)).isEqualTo("1.5 KiB");
        assertThat(ProgressLine.size(3L << 30)).isEqualTo("3.0 GiB");
        assertThat(ProgressLine.clock(59.2)).isEqualTo("1:00");
        assertThat(ProgressLine.clock(3599)).isEqualTo("59:59");
    }

    @Test
    void theRateLeavesOutResumedBytesAndFollowsARecentWindow() {
        AtomicLong now = new AtomicLong(1_000 * SECOND);
        ProgressBar bar = new ProgressBar(new PrintWriter(new StringWriter()), "r.bin", ProgressBar.Mode.BAR,
                now::get);
        bar.advanced(60 * MIB, 100 * MIB); // resumed: 60 MiB were already here
        now.addAndGet(SECOND);
        bar.advanced(62 * MIB, 100 * MIB);
        now.addAndGet(SECOND);
        bar.advanced(64 * MIB, 100 * MIB);
        assertThat(bar.line().rateBytesPerSecond()).isEqualTo(2.0 * MIB);
        // Then it speeds up to 8 MiB/s; after a window the old rate no longer weighs in.
        for (int i = 0; i < 4; i++) {
            now.addAndGet(SECOND);
            bar.advanced(64 * MIB + (i + 1) * 8 * MIB, 100 * MIB);
        }
        now.addAndGet(SECOND);
        bar.advanced(100 * MIB - 1, 100 * MIB);
        assertThat(bar.line().rateBytesPerSecond()).isBetween(7.0 * MIB, 8.0 * MIB);
        assertThat(bar.line().elapsedNanos()).isEqualTo(7 * SECOND);
    }

    @Test
    void theBarShowsVerifyingThenSyncingInsteadOfAFrozenHundredPercent() {
        AtomicLong now = new AtomicLong(0);
        StringWriter out = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(out), "p.bin", ProgressBar.Mode.BAR, now::get);
        bar.advanced(1024, 4096);
        now.addAndGet(1_000_000L); // 1 ms: too soon to redraw
        bar.advanced(2048, 4096);
        now.addAndGet(ProgressBar.REDRAW_NANOS);
        bar.advanced(4096, 4096);
        bar.phase(DownloadProgress.Phase.SYNCING);
        bar.end();
        String[] frames = out.toString().split("\r");
        assertThat(frames).hasSize(4); // "", the first draw, verifying, syncing: the 1 ms one was skipped
        assertThat(frames[1]).startsWith("p.bin  1.0 KiB / 4.0 KiB   25%");
        assertThat(frames[2]).startsWith("p.bin  4.0 KiB / 4.0 KiB  verifying...");
        assertThat(frames[3]).startsWith("p.bin  4.0 KiB / 4.0 KiB  syncing...").endsWith("\u001b[K\n");
    }

    @Test
    void quietPrintsNoNotesAndLinesModePrintsOneLinePerStep() {
        StringWriter quiet = new StringWriter();
        ProgressBar q = new ProgressBar(new PrintWriter(quiet), "q", ProgressBar.Mode.QUIET, System::nanoTime);
        q.note("resuming q");
        q.advanced(1, 2);
        q.end();
        assertThat(quiet.toString()).isEmpty();
        StringWriter lines = new StringWriter();
        ProgressBar l = new ProgressBar(new PrintWriter(lines), "l", ProgressBar.Mode.LINES, System::nanoTime);
        l.advanced(1, 2);
        l.advanced(2, 2);
        l.note("a\nnote");
        assertThat(lines.toString()).isEqualTo("progress 1 2\nprogress 2 2\ncourier: a\\nnote\n");
    }
}
