package dev.courier.server.legacy;

import static dev.courier.server.legacy.LegacyClient.file;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.server.CourierServer;
import dev.courier.server.ServerConfig;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.NameSwapper;
import dev.courier.server.testing.NativeFs;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 2 of issue 10 on the legacy port, which opens files through the same confined, shared open files as the
 * main protocol: while a thread swaps a directory of the root with a link out of it (or with a directory holding a
 * FIFO), legacy FILE requests through that directory get the inside file's bytes or a closed connection (the
 * legacy protocol has no error reply), never the outside file's bytes, and never wait.
 */
class LegacyConfinementRaceTest {
    private static final int REQUESTS = 3200;
    private static final int PIPELINE = 16;
    private static final int SIZE_BYTES = 4096;
    private static final long WITHIN_MILLIS = 1000;

    @Test
    void aLinkOutOfTheRootSwappedInNeverLetsAnOutsideByteOut(@TempDir Path root, @TempDir Path outside)
            throws Exception {
        Files.createDirectory(root.resolve("d"));
        Files.write(root.resolve("d/f.txt"), filled(SIZE_BYTES, 'I'));
        Files.write(outside.resolve("f.txt"), filled(SIZE_BYTES + 1000, 'O'));
        Files.createSymbolicLink(root.resolve("swap"), outside);
        assertServedOrClosedNeverLeaked(root, root.resolve("d"), root.resolve("swap"));
    }

    @Test
    void aFifoSwappedInClosesTheConnectionAtOnceInsteadOfHanging(@TempDir Path root) throws Exception {
        Files.createDirectory(root.resolve("d"));
        Files.createDirectory(root.resolve("e"));
        Files.write(root.resolve("d/f.txt"), filled(SIZE_BYTES, 'I'));
        NativeFs.mkfifo(root.resolve("e/f.txt"));
        assertServedOrClosedNeverLeaked(root, root.resolve("d"), root.resolve("e"));
    }

    private static void assertServedOrClosedNeverLeaked(Path root, Path a, Path b) throws Exception {
        Files.writeString(root.resolve("ok.txt"), "still here");
        ServerConfig config = ServerConfig.of(new InetSocketAddress("127.0.0.1", 0), CsvTruth.dataDir(), root)
                .withLegacy(0, 1 << 20);
        Tally t = new Tally();
        try (CourierServer server = CourierServer.start(config)) {
            InetSocketAddress legacy = server.legacyAddress().orElseThrow();
            sizeOfOkMillis(legacy); // warms the legacy path up, so the bursts timed below do not pay for it
            try (NameSwapper swapper = new NameSwapper(a, b)) {
                hammer(legacy, filled(SIZE_BYTES, 'I'), t);
                assertThat(sizeOfOkMillis(legacy)).as("a well-behaved client, during").isLessThan(WITHIN_MILLIS);
            }
            assertThat(sizeOfOkMillis(legacy)).as("a well-behaved client, after").isLessThan(WITHIN_MILLIS);
        }
        assertThat(t.leaked).as("replies with bytes from outside the root: %s", t).isZero();
        assertThat(t.served).as("replies with the inside file: %s", t).isPositive();
        assertThat(t.closed).as("connections closed on a refused request: %s", t).isPositive();
        assertThat(t.slowestMillis).as("slowest burst: %s", t).isLessThan(WITHIN_MILLIS);
    }

    /** The milliseconds a legacy size query of a plain file takes, its answer checked. */
    private static long sizeOfOkMillis(InetSocketAddress legacy) throws IOException {
        long start = System.nanoTime();
        try (LegacyClient c = new LegacyClient(legacy)) {
            c.send(LegacyClient.sizeOf("ok.txt"));
            assertThat(c.readLong()).isEqualTo("still here".length());
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    /**
     * Sends {@link #REQUESTS} FILE requests for {@code d/f.txt} in bursts of {@link #PIPELINE}, reconnecting
     * whenever the server closes, and sorts the replies: the inside bytes, a close, or other bytes (a leak).
     */
    private static void hammer(InetSocketAddress legacy, byte[] inside, Tally t) {
        byte[][] burst = new byte[PIPELINE][];
        Arrays.fill(burst, file(0, SIZE_BYTES, "d/f.txt"));
        byte[] requests = LegacyClient.concat(burst);
        int sent = 0;
        while (sent < REQUESTS) {
            try (Socket s = new Socket()) {
                s.connect(legacy, 5_000);
                s.setSoTimeout(LegacyClient.TIMEOUT_MILLIS);
                InputStream in = s.getInputStream();
                boolean open = true;
                while (open && sent < REQUESTS) {
                    long start = System.nanoTime();
                    s.getOutputStream().write(requests);
                    sent += PIPELINE;
                    for (int i = 0; i < PIPELINE && open; i++) {
                        byte[] reply = in.readNBytes(SIZE_BYTES);
                        if (reply.length < SIZE_BYTES) {
                            open = false;
                            t.closed++;
                        } else if (Arrays.equals(reply, inside)) {
                            t.served++;
                        } else {
                            t.leaked++;
                        }
                    }
                    t.slowestMillis = Math.max(t.slowestMillis,
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                }
            } catch (SocketTimeoutException e) {
                throw new AssertionError("a FILE request got no reply and no close within "
                        + LegacyClient.TIMEOUT_MILLIS + " ms: " + t, e);
            } catch (IOException e) {
                t.closed++; // reset by the server while the burst was still being written
            }
        }
    }

    private static final class Tally {
        int served;
        int closed;
        int leaked;
        long slowestMillis;

        @Override
        public String toString() {
            return served + " served, " + closed + " closed, " + leaked + " leaked, slowest burst of " + PIPELINE
                    + " " + slowestMillis + " ms";
        }
    }

    private static byte[] filled(int size, char c) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, (byte) c);
        return bytes;
    }
}
