package dev.courier.cli.bench;

import dev.courier.cli.common.ExitCodes;
import dev.courier.client.ClientConfig;
import dev.courier.client.CourierClient;
import dev.courier.client.files.DownloadOptions;
import dev.courier.client.files.DownloadProgress;
import dev.courier.client.files.DownloadResult;
import dev.courier.client.files.Downloader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code courier bench files}: downloads one file K times with the client library's {@link Downloader} into a
 * temporary folder, checks every copy (SHA-256 against a local original when given, else against the first copy),
 * deletes them, and reports throughput and per-chunk latency.
 */
@Command(name = "files", mixinStandardHelpOptions = true,
        description = {"Download a file COUNT times, one after the other, each over C connections; check every copy "
                + "and print MB/s and per-chunk latency percentiles.",
                "Copies go to a temporary folder (or --dir) and are deleted after they are checked. With --discard "
                        + "nothing is written: chunks are checked and dropped."})
public final class BenchFilesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-s", "--server"}, paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:7420",
            description = "Courier server (default: ${DEFAULT-VALUE}).")
    String server;

    @Option(names = "--name", paramLabel = "FILE", required = true, description = "File under the served root.")
    String name;

    @Option(names = {"-k", "--count"}, paramLabel = "K", defaultValue = "3",
            description = "Downloads (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = {"-c", "--connections"}, paramLabel = "C", defaultValue = "" + DownloadOptions.DEFAULT_CONNECTIONS,
            description = "Connections per download (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--chunk-size", paramLabel = "BYTES", defaultValue = "" + DownloadOptions.DEFAULT_CHUNK_BYTES,
            description = "Bytes per read request, capped by the server (default: ${DEFAULT-VALUE}).")
    int chunkBytes;

    @Option(names = "--original", paramLabel = "PATH",
            description = "The server's copy of the file, when it is on this machine: every download must have "
                    + "its SHA-256. Without it, every copy must equal the first.")
    Path original;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Where copies are written (default: a new temporary folder, deleted after).")
    Path dir;

    @Option(names = "--discard", description = "Check every chunk (CRC32C) and the whole file (the server's "
            + "SHA-256) but write nothing.")
    boolean discard;

    @Option(names = "--timeout-ms", paramLabel = "MILLIS", defaultValue = "30000",
            description = "Deadline for each request (default: ${DEFAULT-VALUE}).")
    int timeoutMillis;

    @Option(names = "--json", description = "Print one JSON object instead of the text report.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (count < 1 || count > 10_000) {
            throw new IllegalArgumentException("--count must be 1 to 10000: " + count);
        }
        DownloadOptions options = DownloadOptions.defaults().withConnections(connections).withChunkBytes(chunkBytes)
                .withDiscard(discard).withResume(false);
        String expected = original != null && !discard ? sha256(original) : null;
        Path folder = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("courier-bench-");
        Recorder chunks = new Recorder(3);
        long[] elapsedNanos = new long[count];
        long bytes = 0;
        int usedConnections = 0;
        int usedChunk = 0;
        String mismatch = null;
        try (CourierClient client = new CourierClient(ClientConfig.parse(server)
                .withRequestTimeoutMillis(timeoutMillis))) {
            Downloader d = new Downloader(client, options, DownloadProgress.NONE,
                    (offset, length, latencyNanos) -> chunks.recordValue(Math.max(0, latencyNanos)));
            for (int i = 0; i < count; i++) {
                Path copy = folder.resolve("copy-" + i + "-" + baseName(name));
                DownloadResult r = d.download(name, copy);
                elapsedNanos[i] = r.elapsedNanos();
                bytes += r.sizeBytes();
                usedConnections = r.connections();
                usedChunk = r.chunkBytes();
                if (!discard) {
                    String sum = sha256(copy);
                    if (expected == null) {
                        expected = sum;
                    } else if (!expected.equals(sum) && mismatch == null) {
                        mismatch = "copy " + (i + 1) + " has SHA-256 " + sum + ", expected " + expected
                                + (original != null ? " (of " + original + ")" : " (of the first copy)");
                    }
                    Files.deleteIfExists(copy);
                }
            }
        } finally {
            if (dir == null) {
                deleteQuietly(folder);
            }
        }
        Histogram h = chunks.getIntervalHistogram();
        long totalNanos = Arrays.stream(elapsedNanos).sum();
        long[] sorted = elapsedNanos.clone();
        Arrays.sort(sorted);
        long medianNanos = sorted[sorted.length / 2];
        long perCopy = bytes / count;
        double mbps = bytes / 1e6 / (totalNanos / 1e9);
        double medianMbps = perCopy / 1e6 / (medianNanos / 1e9);
        PrintWriter out = spec.commandLine().getOut();
        boolean verified = mismatch == null;
        if (json) {
            out.println(new JsonLine()
                    .put("name", name)
                    .put("copies", count)
                    .put("size_bytes", perCopy)
                    .put("connections", usedConnections)
                    .put("chunk_bytes", usedChunk)
                    .put("discard", discard)
                    .put("verified", verified)
                    .put("verification", discard ? "crc32c per chunk and the server's sha256" : original != null ? "sha256 of the original"
                            : "sha256 of the first copy")
                    .put("seconds", totalNanos / 1e9, 3)
                    .put("megabytes_per_second", mbps, 1)
                    .put("median_megabytes_per_second", medianMbps, 1)
                    .put("chunks", h.getTotalCount())
                    .put("chunk_p50_us", micros(h, 50), 1)
                    .put("chunk_p90_us", micros(h, 90), 1)
                    .put("chunk_p99_us", micros(h, 99), 1)
                    .put("chunk_p999_us", micros(h, 99.9), 1)
                    .put("chunk_max_us", h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1e3, 1));
        } else {
            out.printf(Locale.ROOT, "file:     %s, %d bytes, %d copies, %d connections, %d-byte chunks%s%n", name,
                    perCopy, count, usedConnections, usedChunk, discard ? ", discarded" : "");
            out.printf(Locale.ROOT, "speed:    %.1f MB/s overall (%.3f s), median copy %.1f MB/s%n", mbps,
                    totalNanos / 1e9, medianMbps);
            out.printf(Locale.ROOT, "chunks:   %d, latency p50 %.1f us  p90 %.1f us  p99 %.1f us  p99.9 %.1f us  "
                            + "max %.1f us%n", h.getTotalCount(), micros(h, 50), micros(h, 90), micros(h, 99),
                    micros(h, 99.9), h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1e3);
            out.println("verified: " + (discard ? "every chunk's CRC32C and the whole file's SHA-256 as the server announced it"
                    : verified ? "every copy's SHA-256 equals " + (original != null ? "the original's" : "the first's")
                    : "NO"));
        }
        out.flush();
        if (!verified) {
            spec.commandLine().getErr().println("courier: VERIFICATION_FAILED: " + mismatch);
            spec.commandLine().getErr().flush();
            return ExitCodes.FAILED;
        }
        return 0;
    }

    private static double micros(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1e3;
    }

    static String sha256(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static String baseName(String name) {
        int slash = name.lastIndexOf('/');
        return slash < 0 ? name : name.substring(slash + 1);
    }

    private static void deleteQuietly(Path folder) {
        try (var s = Files.walk(folder)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
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
