package dev.courier.cli;

import dev.courier.client.CourierClient;
import dev.courier.client.files.DownloadOptions;
import dev.courier.client.files.DownloadResult;
import dev.courier.client.files.Downloader;
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
        description = "Download a file over parallel connections. The file appears under its final name only when "
                + "every byte has arrived.")
final class GetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ServerOption server;

    @Parameters(index = "0", paramLabel = "NAME", description = "File name under the served root.")
    String name;

    @Option(names = {"-o", "--output"}, paramLabel = "DEST", defaultValue = ".",
            description = "Destination file, or directory to put it in (default: the current directory).")
    Path output;

    @Option(names = {"-c", "--connections"}, paramLabel = "N",
            defaultValue = "" + DownloadOptions.DEFAULT_CONNECTIONS,
            description = "Parallel connections (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--chunk-size", paramLabel = "BYTES", defaultValue = "" + DownloadOptions.DEFAULT_CHUNK_BYTES,
            description = "Bytes per request, capped by the server (default: ${DEFAULT-VALUE}).")
    int chunkBytes;

    @Option(names = "--discard",
            description = "Download and check every chunk, then throw the bytes away: nothing is written "
                    + "(for measuring the transfer without the disk).")
    boolean discard;

    @Override
    public Integer call() {
        DownloadOptions options = DownloadOptions.defaults().withConnections(connections).withChunkBytes(chunkBytes);
        try (CourierClient client = server.client()) {
            Downloader d = new Downloader(client, options, ProgressBar.forTerminal(spec.commandLine().getErr(), name));
            DownloadResult r = discard ? d.discard(name) : d.download(name, output);
            spec.commandLine().getOut().printf(Locale.ROOT, "%s: %d bytes in %.3f s (%.1f MB/s, %d connections, "
                            + "%d-byte chunks)%s%n", discard ? name : r.path(), r.sizeBytes(), r.seconds(),
                    r.megabytesPerSecond(), r.connections(), r.chunkBytes(), discard ? ", discarded" : "");
        }
        return 0;
    }
}
