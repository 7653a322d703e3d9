package dev.courier.load;

import dev.courier.client.ClientConfig;
import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.client.RecordInfo;
import dev.courier.client.SampleBlock;
import java.io.IOException;
import java.io.OutputStream;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.postgresql.PGConnection;

/**
 * Every sample of every record out of the store, as binary, to nowhere: Courier's RANGE_STREAM of each whole record
 * (all channels, a few records at a time on one connection, each block decoded into doubles as it arrives) against
 * PostgreSQL's {@code COPY samples TO STDOUT (FORMAT binary)} over JDBC's CopyManager (one statement, its bytes
 * counted and dropped). Both sides move the values in binary and the client touches every byte; neither formats
 * text. A sample is one row: its index and a value per channel.
 *
 * <p>Threading: each call blocks its caller until the export is done; Courier's blocks are summed on the client's
 * event loop.
 */
public final class FullExport {
    /**
     * What one export moved.
     *
     * @param samples      rows (samples) read
     * @param values       values read: samples x channels
     * @param bytes        payload bytes received (Courier: 8 per value; PostgreSQL: COPY's binary rows)
     * @param elapsedNanos from the first request to the last byte
     */
    public record Result(long samples, long values, long bytes, long elapsedNanos) {
        public double samplesPerSecond() {
            return samples / (elapsedNanos / 1e9);
        }
    }

    /**
     * Records read at once on the connection: enough that the next record's request and first window are on the way
     * while one ends (a record at a time paid a round trip and a window's ramp per record), few enough to bound
     * what waits (each at most the range window).
     */
    static final int RECORDS_IN_FLIGHT = 4;

    private FullExport() {
    }

    private static int[] allChannels(RecordInfo r) {
        int[] channels = new int[r.channels().size()];
        for (int i = 0; i < channels.length; i++) {
            channels[i] = i + 1;
        }
        return channels;
    }

    /**
     * Streams every record the server at {@code config} holds, whole, {@link #RECORDS_IN_FLIGHT} at a time on the
     * one connection, blocks pushed and summed as they arrive; the checksum of the doubles guards the JIT.
     */
    public static Result courier(ClientConfig config) {
        try (CourierClient client = new CourierClient(config); Connection c = client.open()) {
            long start = System.nanoTime();
            List<RecordInfo> records = c.records().join();
            Semaphore inFlight = new Semaphore(RECORDS_IN_FLIGHT);
            List<CompletableFuture<RecordSum>> reads = new ArrayList<>(records.size());
            for (RecordInfo r : records) {
                inFlight.acquireUninterruptibly();
                RecordSum sum = new RecordSum(r);
                reads.add(c.range(r.id(), 0, r.sampleCount(), 1, allChannels(r), sum::add)
                        .whenComplete((rows, err) -> inFlight.release())
                        .thenApply(rows -> sum.checked(rows)));
            }
            long samples = 0;
            long values = 0;
            double sum = 0;
            for (CompletableFuture<RecordSum> read : reads) {
                RecordSum r = CourierException.join(read);
                samples += r.rows;
                values += r.rows * r.channels;
                sum += r.sum;
            }
            long elapsed = System.nanoTime() - start;
            if (Double.isNaN(sum)) {
                throw new IllegalStateException("a NaN among the values");
            }
            return new Result(samples, values, values * Double.BYTES, elapsed);
        }
    }

    /** One record's export: its rows and the sum of its values, kept on the connection's event loop. */
    private static final class RecordSum {
        final RecordInfo record;
        final int channels;
        long rows;
        double sum;

        RecordSum(RecordInfo record) {
            this.record = record;
            this.channels = record.channels().size();
        }

        void add(SampleBlock b) {
            int n = b.rows();
            for (int row = 0; row < n; row++) {
                for (int ch = 0; ch < channels; ch++) {
                    sum += b.value(row, ch);
                }
            }
            rows += n;
        }

        RecordSum checked(long delivered) {
            if (rows != record.sampleCount() || delivered != rows) {
                throw new IllegalStateException("record " + record.id() + ": " + rows + " samples, not "
                        + record.sampleCount());
            }
            return this;
        }
    }

    /** {@code COPY samples TO STDOUT (FORMAT binary)} of the PostgreSQL at {@code url}, its bytes dropped. */
    public static Result postgres(String url) throws SQLException, IOException {
        try (var c = DriverManager.getConnection(url)) {
            CountingSink sink = new CountingSink();
            long start = System.nanoTime();
            long rows = c.unwrap(PGConnection.class).getCopyAPI()
                    .copyOut("COPY samples TO STDOUT (FORMAT binary)", sink);
            long elapsed = System.nanoTime() - start;
            return new Result(rows, rows * 2, sink.bytes, elapsed);
        }
    }

    /** Counts what is written and keeps nothing: /dev/null inside the process. */
    private static final class CountingSink extends OutputStream {
        long bytes;

        @Override
        public void write(int b) {
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
        }
    }
}
