package dev.courier.cli;

import dev.courier.cli.common.BundledData;
import dev.courier.client.ClientConfig;
import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.client.DirectoryEntry;
import dev.courier.client.DownloadOptions;
import dev.courier.client.DownloadProgress;
import dev.courier.client.DownloadResult;
import dev.courier.client.Downloader;
import dev.courier.client.PointSweep;
import dev.courier.protocol.ErrorCode;
import dev.courier.server.CourierServer;
import dev.courier.server.ServerConfig;
import dev.courier.server.points.Recording;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start a server on a free loopback port with the bundled data, request every sample of every "
                + "record, download every file in parallel and verify it, print histograms and throughput, stop.")
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR", description = "Data set to use (default: the bundled one).")
    Path data;

    @Option(names = "--count", paramLabel = "N", defaultValue = "15000",
            description = "Samples per record (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = {"-c", "--connections"}, paramLabel = "N", defaultValue = "100",
            description = "Connections for the point requests (default: ${DEFAULT-VALUE}).")
    int connections;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path dataDir = data != null ? data : BundledData.locate();
        ServerConfig config = ServerConfig.of(new InetSocketAddress("127.0.0.1", 0), dataDir, dataDir);
        Path downloads = Files.createTempDirectory("courier-demo-");
        try (CourierServer server = CourierServer.start(config);
             CourierClient client = new CourierClient(ClientConfig.of("127.0.0.1", server.localAddress().getPort()))) {
            out.printf("server: %d records from %s on %s (%s)%n", server.recordings().size(), dataDir,
                    ServeCommand.hostPort(server.localAddress()), server.transport().name().toLowerCase());
            List<String> ids = server.recordings().recordings().stream().map(Recording::id).toList();
            if (ids.isEmpty()) {
                throw new CourierException(ErrorCode.UNKNOWN_RECORD, "no recordings in " + dataDir);
            }
            PointSweep sweep = new PointSweep(ids, count, 0.004, 1, connections, 32);
            out.printf("%npoints: %d records x %d samples, channel 1, %d connections%n", ids.size(), count,
                    connections);
            PointsReport.table(sweep.run(client), sweep.bins(), out);

            out.printf("%nfiles: downloading every file of %s in parallel, 4 connections each%n", dataDir);
            out.flush();
            downloadAll(client, dataDir, downloads, out);
        } finally {
            deleteTree(downloads);
        }
        out.println("\ndemo: done, server stopped");
        return 0;
    }

    private static void downloadAll(CourierClient client, Path dataDir, Path downloads, PrintWriter out)
            throws Exception {
        List<DirectoryEntry> files;
        try (Connection c = client.open()) {
            files = c.list("").join().stream().filter(e -> !e.directory()).toList();
        }
        long start = System.nanoTime();
        List<Future<DownloadResult>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (DirectoryEntry f : files) {
                Downloader d = new Downloader(client, DownloadOptions.defaults().withChunkBytes(64 << 10),
                        DownloadProgress.NONE);
                results.add(pool.submit(() -> d.download(f.name(), downloads.resolve(f.name()))));
            }
        }
        long bytes = 0;
        for (int i = 0; i < files.size(); i++) {
            DownloadResult r = results.get(i).get();
            Path original = dataDir.resolve(files.get(i).name());
            if (Files.mismatch(original, r.path()) != -1) {
                throw new CourierException(ErrorCode.VERIFICATION_FAILED,
                        files.get(i).name() + " differs from the original");
            }
            bytes += r.sizeBytes();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf(Locale.ROOT, "files: %d downloaded and verified byte for byte, %d bytes in %.3f s (%.1f MB/s)%n",
                files.size(), bytes, seconds, bytes / 1e6 / seconds);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // A temporary folder left behind is harmless.
        }
    }
}
