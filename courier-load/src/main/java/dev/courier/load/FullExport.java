package dev.courier.load;

import dev.courier.client.ClientConfig;
import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.client.RecordInfo;
import dev.courier.client.SampleBlock;
import dev.courier.client.SampleStream;
import java.io.IOException;
import java.io.OutputStream;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.postgresql.PGConnection;

/**
 * Every sample of every record out of the store, as binary, to nowhere: Courier's RANGE_STREAM of each whole record
 * (all channels, one record after the other on one connection, each block decoded into doubles) against
 * PostgreSQL's {@code COPY samples TO STDOUT (FORMAT binary)} over JDBC's CopyManager (one statement, its bytes
 * counted and dropped). Both sides move the values in binary and the client touches every byte; neither formats
 * text. A sample is one row: its index and a value per channel.
 *
 * <p>Threading: each call runs on the caller's thread and blocks until the export is done.
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

    private FullExport() {
    }

    private static int[] allChannels(RecordInfo r) {
        int[] channels = new int[r.channels().size()];
        for (int i = 0; i < channels.length; i++) {
            channels[i] = i + 1;
        }
        return channels;
    }

    /** Streams every record the server at {@code config} holds, whole; the checksum of the doubles guards the JIT. */
    public static Result courier(ClientConfig config) {
        try (CourierClient client = new CourierClient(config); Connection c = client.open()) {
            long start = System.nanoTime();
            long samples = 0;
            long values = 0;
            double sum = 0;
            for (RecordInfo r : c.records().join()) {
                int channels = r.channels().size();
                long seen = 0;
                try (SampleStream s = c.range(r.id(), 0, r.sampleCount(), 1, allChannels(r))) {
                    for (SampleBlock b; (b = s.next()) != null; ) {
                        int rows = b.rows();
                        for (int row = 0; row < rows; row++) {
                            for (int ch = 0; ch < channels; ch++) {
                                sum += b.value(row, ch);
                            }
                        }
                        seen += rows;
                    }
                }
                if (seen != r.sampleCount()) {
                    throw new IllegalStateException("record " + r.id() + ": " + seen + " samples, not "
                            + r.sampleCount());
                }
                samples += seen;
                values += seen * channels;
            }
            long elapsed = System.nanoTime() - start;
            if (Double.isNaN(sum)) {
                throw new IllegalStateException("a NaN among the values");
            }
            return new Result(samples, values, values * Double.BYTES, elapsed);
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
