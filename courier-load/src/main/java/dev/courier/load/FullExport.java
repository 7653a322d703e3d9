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
 * (all channels, a few records at a time on each of one or more connections, each block decoded into doubles and
 * checked as it arrives) against
 * PostgreSQL's {@code COPY samples TO STDOUT (FORMAT binary)} over JDBC's CopyManager (one statement, its bytes
 * counted and dropped). Both sides move the values in binary and the client touches every byte; neither formats
 * text. A sample is one row: its index and a value per channel.
 *
 * <p>Threading: each call blocks its caller until the export is done; Courier's blocks are checked on the client's
 * event loops.
 */
public final class FullExport {
    /**
     * What one export moved.
     *
     * @param samples      rows (samples) read
     * @param values       values read: samples x channels
     * @param bytes        payload bytes received (Courier: 8 per value; PostgreSQL: COPY's binary rows)
     * @param elapsedNanos from the first request to the last byte
     * @param checksum     Courier: the {@link #checksum} of every value, summed; PostgreSQL: 0 (its bytes are
     *                     counted, not decoded)
     */
    public record Result(long samples, long values, long bytes, long elapsedNanos, long checksum) {
        public double samplesPerSecond() {
            return samples / (elapsedNanos / 1e9);
        }
    }

    /**
     * Records read at once on each connection: enough that the next record's request and first window are on the way
     * while one ends (a record at a time paid a round trip and a window's ramp per record), few enough to bound
     * what waits (each at most the range window, {@link Connection#RANGE_WINDOW_BYTES}).
     */
    static final int RECORDS_IN_FLIGHT = 4;
    /** Warm-up passes at most, however short they are: the warm-up is bounded in count as well as in time. */
    static final int MAX_WARMUP_PASSES = 1000;

    private FullExport() {
    }

    /** One whole export, from the first request to the last byte. */
    @FunctionalInterface
    public interface Pass {
        Result run() throws Exception;
    }

    /**
     * Runs {@code pass} unmeasured until {@code warmupNanos} have passed (whole passes, at most
     * {@link #MAX_WARMUP_PASSES}; none for 0), then once more, and returns that last pass. A fresh client JVM runs
     * its first export mostly in the interpreter and the first compilers (on this 2-core machine the second pass of
     * a fresh JVM was about five times faster than the first); the load cells warm up the same way, and both targets
     * get the same warm-up.
     */
    public static Result warmedUp(Pass pass, long warmupNanos) throws Exception {
        long deadline = System.nanoTime() + warmupNanos;
        for (int i = 0; i < MAX_WARMUP_PASSES && warmupNanos > 0 && System.nanoTime() - deadline < 0; i++) {
            pass.run();
        }
        return pass.run();
    }

    private static int[] allChannels(RecordInfo r) {
        int[] channels = new int[r.channels().size()];
        for (int i = 0; i < channels.length; i++) {
            channels[i] = i + 1;
        }
        return channels;
    }

    /**
     * Streams every record the server at {@code config} holds, whole, over {@code lanes} connections (record i on
     * connection i mod lanes, {@link #RECORDS_IN_FLIGHT} records at a time on each), blocks pushed and checked as
     * they arrive on each connection's event loop. With the client's default I/O threads the lanes are on different
     * event loops, so the decoding and checking of blocks spreads over the cores. At most
     * {@code lanes x RECORDS_IN_FLIGHT} windows wait in the client at once.
     *
     * @param lanes connections, at least 1
     */
    public static Result courier(ClientConfig config, int lanes) {
        if (lanes < 1) {
            throw new IllegalArgumentException("lanes must be at least 1: " + lanes);
        }
        try (CourierClient client = new CourierClient(config)) {
            List<Connection> connections = new ArrayList<>(lanes);
            try {
                for (int i = 0; i < lanes; i++) {
                    connections.add(client.open());
                }
                return courier(connections);
            } finally {
                for (Connection c : connections) {
                    c.close();
                }
            }
        }
    }

    private static Result courier(List<Connection> lanes) {
        long start = System.nanoTime();
        List<RecordInfo> records = lanes.getFirst().records().join();
        // one bound per lane, not one shared: a shared one would let a slow lane collect every permit, and with
        // five lanes or more that is more streams on one connection than the server allows (16)
        List<Semaphore> inFlight = new ArrayList<>(lanes.size());
        for (int i = 0; i < lanes.size(); i++) {
            inFlight.add(new Semaphore(RECORDS_IN_FLIGHT));
        }
        List<CompletableFuture<RecordSum>> reads = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            RecordInfo r = records.get(i);
            Semaphore lane = inFlight.get(i % lanes.size());
            lane.acquireUninterruptibly();
            RecordSum sum = new RecordSum(r);
            reads.add(lanes.get(i % lanes.size()).range(r.id(), 0, r.sampleCount(), 1, allChannels(r), sum::add)
                    .whenComplete((rows, err) -> lane.release())
                    .thenApply(rows -> sum.checked(rows)));
        }
        long samples = 0;
        long values = 0;
        long checksum = 0;
        for (CompletableFuture<RecordSum> read : reads) {
            RecordSum r = CourierException.join(read);
            samples += r.rows;
            values += r.rows * r.channels;
            checksum += r.bits;
        }
        long elapsed = System.nanoTime() - start;
        return new Result(samples, values, values * Double.BYTES, elapsed, checksum);
    }

    /**
     * The checksum of values {@code v}: the sum of their bits, {@link Double#doubleToRawLongBits}, wrapping. Exact and
     * independent of the order the values are added in, so a test can compute it from the data set; any one value
     * off by one bit changes it.
     */
    public static long checksum(double v) {
        return Double.doubleToRawLongBits(v);
    }

    /** One record's export: its rows and the checksum of its values, kept on the connection's event loop. */
    private static final class RecordSum {
        final RecordInfo record;
        final int channels;
        long rows;
        long bits;

        RecordSum(RecordInfo record) {
            this.record = record;
            this.channels = record.channels().size();
        }

        void add(SampleBlock b) {
            int n = b.rows();
            long s = bits;
            for (int row = 0; row < n; row++) {
                for (int ch = 0; ch < channels; ch++) {
                    s += checksum(b.value(row, ch));
                }
            }
            bits = s;
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
            return new Result(rows, rows * 2, sink.bytes, elapsed, 0);
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
