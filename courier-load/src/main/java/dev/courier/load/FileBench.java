package dev.courier.load;

import dev.courier.client.ClientConfig;
import dev.courier.client.CourierClient;
import dev.courier.client.DownloadOptions;
import dev.courier.client.DownloadProgress;
import dev.courier.client.DownloadResult;
import dev.courier.client.Downloader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Downloads one file K times, one after the other, with the client library's {@link Downloader}, and checks every
 * copy: its SHA-256 (computed here with the JDK) against a local original when one is given, else against the
 * first copy. With {@link DownloadOptions#discard()} nothing is written and the downloader's own checks are the
 * verification (every chunk's CRC32C and the whole file's SHA-256 as the server announced it). Copies go to a
 * folder (a new temporary one unless given, deleted after) and each is deleted once checked. Each chunk's latency,
 * from its request to its arrival, goes to an HdrHistogram {@link Recorder} in nanoseconds.
 *
 * <p>The engine of {@code courier bench files}. Threading: {@link #run} blocks its caller for all K downloads;
 * chunk latencies are recorded from the client's event loops.
 */
public final class FileBench {
    private FileBench() {
    }

    /**
     * What to download and how.
     *
     * @param name     the file, as named under the server's root
     * @param copies   downloads, one after the other, 1 to 10,000
     * @param options  how each download is spread and cut (connections, chunk size, discard); resuming is always
     *                 turned off, so that every copy is a whole transfer
     * @param original the server's copy of the file when it is on this machine (every copy must have its
     *                 SHA-256), or null to compare every copy with the first; not read with discard
     * @param dir      where copies are written (created if missing, left in place), or null for a new temporary
     *                 folder deleted at the end
     */
    public record Spec(String name, int copies, DownloadOptions options, Path original, Path dir) {
        public Spec {
            Objects.requireNonNull(name, "name");
            if (copies < 1 || copies > 10_000) {
                throw new IllegalArgumentException("copies must be 1 to 10000: " + copies);
            }
            options = options.withResume(false);
        }
    }

    /**
     * What was measured.
     *
     * @param copies             downloads made
     * @param totalBytes         bytes of all copies together
     * @param connections        connections each download used (as the downloader reported the last one)
     * @param chunkBytes         bytes per read each download used (the requested size, capped by the server)
     * @param totalNanos         time of all downloads together, checks of copies excluded
     * @param medianNanos        time of the median download
     * @param chunkLatencyNanos  latency of every chunk of every copy, in nanoseconds
     * @param mismatch           the first copy whose SHA-256 differed, described; null when every copy matched
     */
    public record Result(int copies, long totalBytes, int connections, int chunkBytes, long totalNanos,
                         long medianNanos, Histogram chunkLatencyNanos, String mismatch) {
        /** True when every copy matched (or, with discard, passed the downloader's checks). */
        public boolean verified() {
            return mismatch == null;
        }

        /** Bytes of one copy. */
        public long sizeBytes() {
            return totalBytes / copies;
        }

        /** Time of all downloads together, in seconds. */
        public double seconds() {
            return totalNanos / 1e9;
        }

        /** Throughput over all downloads, in megabytes (10^6 bytes) per second. */
        public double megabytesPerSecond() {
            return totalBytes / 1e6 / (totalNanos / 1e9);
        }

        /** Throughput of the median download, in megabytes (10^6 bytes) per second. */
        public double medianMegabytesPerSecond() {
            return sizeBytes() / 1e6 / (medianNanos / 1e9);
        }

        /** Chunks received, all copies together. */
        public long chunks() {
            return chunkLatencyNanos.getTotalCount();
        }

        /**
         * A percentile of the chunk latency in microseconds (0 when no chunk was recorded).
         *
         * @param percentile 0 to 100, for example 99.9
         */
        public double chunkPercentileMicros(double percentile) {
            return chunks() == 0 ? 0 : chunkLatencyNanos.getValueAtPercentile(percentile) / 1e3;
        }

        /** The highest chunk latency in microseconds (0 when no chunk was recorded). */
        public double chunkMaxMicros() {
            return chunks() == 0 ? 0 : chunkLatencyNanos.getMaxValue() / 1e3;
        }
    }

    /**
     * Downloads the copies with a client of {@code config} (its address and request timeout), checks and deletes
     * them, and returns what was measured. A copy that does not match is reported in the result, not thrown.
     *
     * @throws IOException when the original cannot be read, or a copy or the folder cannot be written or read
     * @throws dev.courier.client.CourierException when a download fails (the downloader's typed error)
     */
    public static Result run(ClientConfig config, Spec spec) throws IOException {
        boolean discard = spec.options().discard();
        String expected = spec.original() != null && !discard ? FileDigests.sha256Hex(spec.original()) : null;
        Path folder = spec.dir() != null ? Files.createDirectories(spec.dir())
                : Files.createTempDirectory("courier-bench-");
        Recorder chunks = new Recorder(3);
        long[] elapsedNanos = new long[spec.copies()];
        long bytes = 0;
        int usedConnections = 0;
        int usedChunk = 0;
        String mismatch = null;
        try (CourierClient client = new CourierClient(config)) {
            Downloader d = new Downloader(client, spec.options(), DownloadProgress.NONE,
                    (offset, length, latencyNanos) -> chunks.recordValue(Math.max(0, latencyNanos)));
            for (int i = 0; i < spec.copies(); i++) {
                Path copy = folder.resolve("copy-" + i + "-" + baseName(spec.name()));
                DownloadResult r = d.download(spec.name(), copy);
                elapsedNanos[i] = r.elapsedNanos();
                bytes += r.sizeBytes();
                usedConnections = r.connections();
                usedChunk = r.chunkBytes();
                if (!discard) {
                    String sum = FileDigests.sha256Hex(copy);
                    if (expected == null) {
                        expected = sum;
                    } else if (!expected.equals(sum) && mismatch == null) {
                        mismatch = "copy " + (i + 1) + " has SHA-256 " + sum + ", expected " + expected
                                + (spec.original() != null ? " (of " + spec.original() + ")" : " (of the first copy)");
                    }
                    Files.deleteIfExists(copy);
                }
            }
        } finally {
            if (spec.dir() == null) {
                deleteQuietly(folder);
            }
        }
        long[] sorted = elapsedNanos.clone();
        Arrays.sort(sorted);
        return new Result(spec.copies(), bytes, usedConnections, usedChunk, Arrays.stream(elapsedNanos).sum(),
                sorted[sorted.length / 2], chunks.getIntervalHistogram(), mismatch);
    }

    private static String baseName(String name) {
        int slash = name.lastIndexOf('/');
        return slash < 0 ? name : name.substring(slash + 1);
    }

    private static void deleteQuietly(Path folder) {
        try (Stream<Path> s = Files.walk(folder)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // A temporary folder left behind is harmless.
                }
            });
        } catch (IOException ignored) {
            // Same.
        }
    }
}
