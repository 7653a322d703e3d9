package dev.courier.client.examples;

// README:begin
import dev.courier.client.ClientConfig;
import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.client.DownloadOptions;
import dev.courier.client.DownloadProgress;
import dev.courier.client.DownloadResult;
import dev.courier.client.Downloader;
import dev.courier.client.Point;
import dev.courier.client.PointBatch;
import dev.courier.client.SampleBlock;
import dev.courier.client.SampleStream;
import dev.courier.client.UploadResult;
import dev.courier.client.Uploader;
import java.nio.file.Path;

/** Points, a range, a download and an upload against the server at {@code address} ("HOST:PORT"). */
public final class QuickStart {
    public static void main(String[] args) {
        run(args[0], Path.of(args[1]), Path.of(args[2]));
    }

    /** Fetches {@code remoteFile} into {@code downloads}, uploads {@code upload}; what it saw, for a test. */
    public static Seen run(String address, Path downloads, Path upload) {
        // One client per process: it holds the event loops. Connections are cheap; all of it is thread-safe.
        try (CourierClient client = new CourierClient(ClientConfig.parse(address));
             Connection c = client.open()) {
            // One point: record "3", the sample at or just before 0.008 s, channel 1.
            Point p = c.point("3", 0.008, 1).join();
            System.out.printf("point: %s at sample %d (%s s)%n", p.value(), p.sampleIndex(), p.sampleTimeSeconds());

            // Several points of one record and channel in one request.
            PointBatch batch = c.points("3", 2, new double[] {0.0, 0.004, 1.0}).join();
            System.out.println("batch: " + batch.size() + " points");

            // A range: samples 0, 10, 20, ... below 1000 of channels 1 and 2, streamed under a window.
            double sum = 0;
            long rows = 0;
            try (SampleStream range = c.range("3", 0, 1000, 10, new int[] {1, 2})) {
                for (SampleBlock block = range.next(); block != null; block = range.next()) {
                    for (int r = 0; r < block.rows(); r++) {
                        sum += block.value(r, 0);
                        rows++;
                    }
                }
            }
            System.out.println("range: " + rows + " rows, channel 1 sums to " + sum);

            // A download: parallel connections, every chunk's CRC32C and the file's SHA-256 checked, resumable.
            DownloadOptions options = DownloadOptions.defaults().withConnections(4);
            DownloadResult got = new Downloader(client, options, DownloadProgress.NONE).download("7.csv", downloads);
            System.out.println("downloaded " + got.path() + ", SHA-256 " + got.sha256Hex());

            // An upload, to a server started with --upload-dir: checked the same way, resumable too.
            UploadResult sent = new Uploader(client, options, DownloadProgress.NONE)
                    .upload(upload, Uploader.defaultRemoteName(upload));
            System.out.println("uploaded " + sent.name() + ", SHA-256 " + sent.sha256Hex());
            return new Seen(p, batch, rows, sum, got, sent);
        }
    }

    /** What the example saw. */
    public record Seen(Point point, PointBatch batch, long rangeRows, double rangeSum, DownloadResult download,
                       UploadResult upload) {
    }
}
// README:end
