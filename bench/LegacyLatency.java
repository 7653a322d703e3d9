import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;

/**
 * The latency of one legacy FILE request with one request in flight, as the old system's own client drove its
 * server: a raw blocking socket writes one FILE request (type 2, offset, length, NUL-terminated name, every number
 * little-endian; see LegacyDescriptor), reads exactly the chunk back, checks it against the local copy of the file,
 * then sends the next. Offsets are random and chunk-aligned within the file. Each request's time, from the write to
 * the last byte read, goes into an HdrHistogram (1 ns to 10 s, 3 significant digits).
 *
 * <p>Bounded: a warm-up of at most {@code warmupCount} requests or {@code seconds}, whichever ends first, then at most
 * {@code count} requests or {@code seconds} more, measured. Prints one JSON line: requests, p50/p90/p99/p999/max in microseconds, mismatches.
 *
 * <p>Usage: {@code java -cp HdrHistogram.jar LegacyLatency.java HOST PORT NAME LOCAL_FILE CHUNK_BYTES COUNT SECONDS
 * WARMUP_COUNT}
 */
public final class LegacyLatency {
    private static final int TYPE_FILE = 2;
    private static final int PADDING = 0xDEADBEEF;
    private static final int TIMEOUT_MILLIS = 10_000;

    public static void main(String[] args) throws IOException {
        if (args.length != 8) {
            System.err.println("usage: LegacyLatency HOST PORT NAME LOCAL_FILE CHUNK_BYTES COUNT SECONDS WARMUP_COUNT");
            System.exit(2);
        }
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String name = args[2];
        byte[] file = Files.readAllBytes(Path.of(args[3]));
        int chunkBytes = Integer.parseInt(args[4]);
        long count = Long.parseLong(args[5]);
        long secondsNs = (long) (Double.parseDouble(args[6]) * 1e9);
        long warmup = Long.parseLong(args[7]);
        long chunks = file.length / chunkBytes;
        if (chunks < 1) {
            throw new IllegalArgumentException("the file is shorter than one chunk");
        }

        Histogram histogram = new Histogram(1, 10_000_000_000L, 3);
        byte[] reply = new byte[chunkBytes];
        SplittableRandom random = new SplittableRandom(12);
        long mismatches = 0;
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            for (int phase = 0; phase < 2; phase++) {
                // The warm-up, then the measured requests: each at most its count or the time given.
                boolean measured = phase == 1;
                long deadlineNs = System.nanoTime() + secondsNs;
                for (long i = 0; i < (measured ? count : warmup) && System.nanoTime() < deadlineNs; i++) {
                    long offset = random.nextLong(chunks) * chunkBytes;
                    byte[] request = fileRequest(offset, chunkBytes, name);
                    long t0 = System.nanoTime();
                    out.write(request);
                    in.readFully(reply);
                    long t1 = System.nanoTime();
                    if (!Arrays.equals(reply, 0, chunkBytes, file, (int) offset, (int) offset + chunkBytes)) {
                        mismatches++;
                    }
                    if (measured) {
                        histogram.recordValue(t1 - t0);
                    }
                }
            }
        }
        System.out.printf("{\"requests\": %d, \"chunk_bytes\": %d, \"p50_us\": %.1f, \"p90_us\": %.1f, "
                        + "\"p99_us\": %.1f, \"p999_us\": %.1f, \"max_us\": %.1f, \"mismatches\": %d}%n",
                histogram.getTotalCount(), chunkBytes, us(histogram, 50), us(histogram, 90), us(histogram, 99),
                us(histogram, 99.9), histogram.getMaxValue() / 1e3, mismatches);
        if (mismatches > 0 || histogram.getTotalCount() == 0) {
            System.exit(1);
        }
    }

    private static double us(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1e3;
    }

    private static byte[] fileRequest(long offsetBytes, int lengthBytes, String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(25 + n.length).order(ByteOrder.LITTLE_ENDIAN).putInt(TYPE_FILE).putInt(PADDING)
                .putLong(offsetBytes).putInt(lengthBytes).putInt(PADDING).put(n).put((byte) 0).array();
    }
}
