package dev.courier.cli;

import dev.courier.client.CourierClient;
import dev.courier.client.DownloadOptions;
import dev.courier.client.DownloadResult;
import dev.courier.client.Downloader;
import dev.courier.cli.common.Json;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "get", mixinStandardHelpOptions = true,
        description = {"Download a file over parallel connections. Every chunk is checked (CRC32C) and the whole "
                + "file (SHA-256) before it appears under its final name. An interrupted download resumes from "
                + "NAME.courier-part and its journal; lost connections are reopened automatically."})
final class GetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions server;

    @Mixin
    TransferOptions transfer;

    @Parameters(index = "0", paramLabel = "NAME", description = "File name under the served root.")
    String name;

    @Option(names = {"-o", "--output"}, paramLabel = "DEST", defaultValue = ".",
            description = "Destination file, or directory to put it in (default: the current directory).")
    Path output;

    @Option(names = "--resume", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Continue an interrupted download (default); --no-resume starts over.")
    boolean resume;

    @Option(names = "--discard", description = "Verify the file and throw the bytes away; write nothing.")
    boolean discard;

    @Option(names = "--digest", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Check the whole file's SHA-256 (default). --no-digest checks only every chunk's CRC32C, "
                    + "for measuring the transfer beyond what one core can hash (about 1.7 GB/s).")
    boolean digest;

    @Option(names = "--stream", negatable = true, defaultValue = "" + DownloadOptions.DEFAULT_STREAM,
            fallbackValue = "true",
            description = "Read with streams when the server knows them (default: ${DEFAULT-VALUE}); --no-stream asks "
                    + "chunk by chunk.")
    boolean stream;

    @Option(names = "--window-size", paramLabel = "BYTES",
            defaultValue = "" + DownloadOptions.DEFAULT_STREAM_WINDOW_BYTES,
            description = "A stream's credit: bytes the server may send ahead of the disk (default: ${DEFAULT-VALUE}).")
    int windowBytes;

    @Option(names = "--piece-size", paramLabel = "BYTES",
            defaultValue = "" + DownloadOptions.DEFAULT_STREAM_PIECE_BYTES,
            description = "Bytes one stream asks for; 0 splits the file evenly over the connections "
                    + "(default: ${DEFAULT-VALUE}).")
    long pieceBytes;

    @Option(names = "--json", description = "Print one JSON object instead of the summary line.")
    boolean json;

    @Override
    public Integer call() {
        DownloadOptions options = transfer.toOptions().withResume(resume).withDiscard(discard).withVerifyDigest(digest)
                .withStream(stream).withStreamWindowBytes(windowBytes).withStreamPieceBytes(pieceBytes);
        try (CourierClient client = server.client()) {
            Downloader d = new Downloader(client, options,
                    ProgressBar.forTerminal(spec.commandLine().getErr(), name, transfer.progressLines));
            DownloadResult r = d.download(name, output);
            spec.commandLine().getOut().println(json ? json(r) : summary(r));
        }
        return 0;
    }

    private String summary(DownloadResult r) {
        return String.format(Locale.ROOT,
                "%s: %d bytes in %.3f s (%.1f MB/s, %d connections, %d-byte chunks), %s%s%s%s",
                r.path() == null ? name + " (discarded)" : r.path(), r.sizeBytes(), r.seconds(),
                r.megabytesPerSecond(), r.connections(), r.chunkBytes(),
                digest ? "SHA-256 " + r.sha256Hex() + " verified" : "every chunk's CRC32C verified (no SHA-256)",
                r.path() == null ? "" : String.format(Locale.ROOT, ", final sync %.1f ms", r.finalSyncMillis()),
                r.resumedBytes() > 0 ? ", " + r.resumedBytes() + " bytes resumed" : "",
                r.retries() > 0 ? ", " + r.retries() + " chunks fetched again" : "");
    }

    /** One JSON object; sizes in bytes, times in seconds and milliseconds as their names say. */
    private String json(DownloadResult r) {
        return String.format(Locale.ROOT, "{\"name\": %s, \"path\": %s, \"size_bytes\": %d, \"seconds\": %.6f, "
                        + "\"mb_per_second\": %.1f, \"connections\": %d, \"chunk_bytes\": %d, \"sha256\": %s, "
                        + "\"sha256_verified\": %b, \"final_sync_ms\": %.3f, \"resumed_bytes\": %d, "
                        + "\"fetched_bytes\": %d, \"retries\": %d}",
                Json.quote(name), r.path() == null ? "null" : Json.quote(r.path().toString()), r.sizeBytes(),
                r.seconds(), r.megabytesPerSecond(), r.connections(), r.chunkBytes(),
                digest ? Json.quote(r.sha256Hex()) : "null", digest, r.finalSyncMillis(), r.resumedBytes(),
                r.fetchedBytes(), r.retries());
    }
}
