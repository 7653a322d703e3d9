package dev.courier.cli;

import dev.courier.cli.common.Units;
import dev.courier.client.DownloadOptions;
import picocli.CommandLine.Option;

/** Options shared by {@code get} and {@code put}. */
final class TransferOptions {
    @Option(names = {"-c", "--connections"}, paramLabel = "N",
            defaultValue = "" + DownloadOptions.DEFAULT_CONNECTIONS,
            description = "Parallel connections (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--chunk-size", paramLabel = "BYTES", defaultValue = "" + DownloadOptions.DEFAULT_CHUNK_BYTES,
            converter = Units.IntBytes.class,
            description = "Bytes per request, capped by the server (default: ${DEFAULT-VALUE}). " + Units.SIZE_HELP)
    int chunkBytes;

    @Option(names = "--stall-timeout-ms", paramLabel = "MILLIS",
            defaultValue = "" + DownloadOptions.DEFAULT_STALL_TIMEOUT_MILLIS,
            converter = Units.Millis.class,
            description = "Give up when nothing has moved for this long, reconnecting meanwhile "
                    + "(default: ${DEFAULT-VALUE}). " + Units.DURATION_HELP)
    long stallTimeoutMillis;

    @Option(names = "--progress", negatable = true,
            description = "Draw the progress bar on stderr even when it is not a terminal; --no-progress never "
                    + "(default: when stderr is a terminal).")
    Boolean progress;

    @Option(names = "--progress-lines",
            description = "Print 'progress DONE TOTAL' lines on stderr instead of a bar (for scripts).")
    boolean progressLines;

    DownloadOptions toOptions() {
        return DownloadOptions.defaults().withConnections(connections).withChunkBytes(chunkBytes)
                .withStallTimeoutMillis(stallTimeoutMillis);
    }
}
