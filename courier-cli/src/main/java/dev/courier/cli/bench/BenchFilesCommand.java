package dev.courier.cli.bench;

import dev.courier.cli.common.ExitCodes;
import dev.courier.cli.common.ServerOption;
import dev.courier.cli.common.Units;
import dev.courier.client.ClientConfig;
import dev.courier.client.DownloadOptions;
import dev.courier.load.FileBench;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code courier bench files}: downloads one file K times with the client library's downloader into a temporary
 * folder, checks every copy (SHA-256 against a local original when given, else against the first copy), deletes
 * them, and reports throughput and per-chunk latency. The downloading and checking is {@link FileBench}'s; this
 * command maps the options onto its spec and prints the result.
 */
@Command(name = "files", mixinStandardHelpOptions = true,
        description = {"Download a file COUNT times, one after the other, each over C connections; check every copy "
                + "and print MB/s and per-chunk latency percentiles.",
                "Copies go to a temporary folder (or --dir) and are deleted after they are checked. With --discard "
                        + "nothing is written: chunks are checked and dropped."})
public final class BenchFilesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ServerOption server;

    @Option(names = "--name", paramLabel = "FILE", required = true, description = "File under the served root.")
    String name;

    @Option(names = {"-k", "--count"}, paramLabel = "K", defaultValue = "3",
            description = "Downloads (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = {"-c", "--connections"}, paramLabel = "C", defaultValue = "" + DownloadOptions.DEFAULT_CONNECTIONS,
            description = "Connections per download (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--chunk-size", paramLabel = "BYTES", defaultValue = "" + DownloadOptions.DEFAULT_CHUNK_BYTES,
            converter = Units.IntBytes.class,
            description = "Bytes per read request, capped by the server (default: ${DEFAULT-VALUE}). "
                    + Units.SIZE_HELP)
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
            converter = Units.IntMillis.class,
            description = "Deadline for each request (default: ${DEFAULT-VALUE}). " + Units.DURATION_HELP)
    int timeoutMillis;

    @Option(names = "--json", description = "Print one JSON object instead of the text report.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (count < 1 || count > 10_000) {
            throw new IllegalArgumentException("--count must be 1 to 10000: " + count);
        }
        DownloadOptions options = DownloadOptions.defaults().withConnections(connections).withChunkBytes(chunkBytes)
                .withDiscard(discard);
        FileBench.Result r = FileBench.run(server.config().withRequestTimeoutMillis(timeoutMillis),
                new FileBench.Spec(name, count, options, original, dir));
        PrintWriter out = spec.commandLine().getOut();
        boolean verified = r.verified();
        if (json) {
            out.println(new JsonLine()
                    .put("name", name)
                    .put("copies", count)
                    .put("size_bytes", r.sizeBytes())
                    .put("connections", r.connections())
                    .put("chunk_bytes", r.chunkBytes())
                    .put("discard", discard)
                    .put("verified", verified)
                    .put("verification", discard ? "crc32c per chunk and the server's sha256" : original != null ? "sha256 of the original"
                            : "sha256 of the first copy")
                    .put("seconds", r.seconds(), 3)
                    .put("megabytes_per_second", r.megabytesPerSecond(), 1)
                    .put("median_megabytes_per_second", r.medianMegabytesPerSecond(), 1)
                    .put("chunks", r.chunks())
                    .put("chunk_p50_us", r.chunkPercentileMicros(50), 1)
                    .put("chunk_p90_us", r.chunkPercentileMicros(90), 1)
                    .put("chunk_p99_us", r.chunkPercentileMicros(99), 1)
                    .put("chunk_p999_us", r.chunkPercentileMicros(99.9), 1)
                    .put("chunk_max_us", r.chunkMaxMicros(), 1));
        } else {
            out.printf(Locale.ROOT, "file:     %s, %d bytes, %d copies, %d connections, %d-byte chunks%s%n", name,
                    r.sizeBytes(), count, r.connections(), r.chunkBytes(), discard ? ", discarded" : "");
            out.printf(Locale.ROOT, "speed:    %.1f MB/s overall (%.3f s), median copy %.1f MB/s%n",
                    r.megabytesPerSecond(), r.seconds(), r.medianMegabytesPerSecond());
            out.printf(Locale.ROOT, "chunks:   %d, latency p50 %.1f us  p90 %.1f us  p99 %.1f us  p99.9 %.1f us  "
                            + "max %.1f us%n", r.chunks(), r.chunkPercentileMicros(50), r.chunkPercentileMicros(90),
                    r.chunkPercentileMicros(99), r.chunkPercentileMicros(99.9), r.chunkMaxMicros());
            out.println("verified: " + (discard ? "every chunk's CRC32C and the whole file's SHA-256 as the server announced it"
                    : verified ? "every copy's SHA-256 equals " + (original != null ? "the original's" : "the first's")
                    : "NO"));
        }
        out.flush();
        if (!verified) {
            spec.commandLine().getErr().println("courier: VERIFICATION_FAILED: " + r.mismatch());
            spec.commandLine().getErr().flush();
            return ExitCodes.FAILED;
        }
        return 0;
    }
}
