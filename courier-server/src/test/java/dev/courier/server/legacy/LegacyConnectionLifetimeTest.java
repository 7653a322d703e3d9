package dev.courier.server.legacy;

import static dev.courier.server.legacy.LegacyClient.data;
import static dev.courier.server.legacy.LegacyClient.file;
import static dev.courier.server.legacy.LegacyClient.sizeOf;
import static dev.courier.server.testing.WellBehavedClient.assertServedWithinASecond;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import dev.courier.server.CourierServer;
import dev.courier.server.ServerConfig;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.LogCapture;
import dev.courier.server.testing.RawConnection;
import dev.courier.server.testing.TestFiles;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How long a legacy connection may hold the server's resources, against real servers on loopback with short
 * timeouts: the same idle and write timeouts as the main protocol (raw bytes count as heard), a connection cap of
 * its own, and a WARN line with the client's address and the reason for every close the server decides on. A
 * well-behaved client of each protocol is served within a second meanwhile.
 */
@Timeout(60)
class LegacyConnectionLifetimeTest {
    private static final long IDLE_TIMEOUT_MILLIS = 500;
    private static final long WRITE_TIMEOUT_MILLIS = 1_000;
    private static final long MARGIN_MILLIS = 4_000;
    /** See ConnectionLifetimeTest: the kernel's send buffer may still grow, which the server sees as progress. */
    private static final long WRITE_MARGIN_MILLIS = 10_000;
    private static final int CHUNK_BYTES = 1 << 20;
    private static final String BIG = "big.bin";

    @TempDir
    static Path root;
    static double[] row2;

    @BeforeAll
    static void files() throws Exception {
        TestFiles.random(root.resolve(BIG), 4L * CHUNK_BYTES, 3);
        Files.writeString(root.resolve("small.txt"), "twelve bytes");
        String[] cells = Files.readAllLines(CsvTruth.dataDir().resolve("3.csv")).get(3).split(",");
        row2 = new double[] {Double.parseDouble(cells[0]), Double.parseDouble(cells[1])};
    }

    private static ServerConfig.Builder config() {
        return ServerConfig.of(new InetSocketAddress("127.0.0.1", 0), CsvTruth.dataDir(), root)
                .withLegacy(0, CHUNK_BYTES).toBuilder();
    }

    @Test
    void aSilentLegacyConnectionIsClosedAfterTheIdleTimeoutAndLogged() throws Exception {
        try (LogCapture log = LogCapture.of(LegacyHandler.class);
             CourierServer server = CourierServer.start(config().pingIntervalMillis(0)
                     .idleTimeoutMillis(IDLE_TIMEOUT_MILLIS).build());
             LegacyClient silent = new LegacyClient(server.legacyAddress().orElseThrow())) {
            long start = System.nanoTime();
            silent.readTimeoutMillis((int) (IDLE_TIMEOUT_MILLIS + MARGIN_MILLIS));

            assertThat(silent.endsAfterDraining()).as("closed by the server").isTrue();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
                    .isBetween(IDLE_TIMEOUT_MILLIS - 100, IDLE_TIMEOUT_MILLIS + MARGIN_MILLIS);
            LogCapture.Line line = log.await(l -> l.message().contains("IDLE_TIMEOUT"), 5_000);
            assertThat(line.level()).isEqualTo(Level.WARN);
            assertThat(line.message()).contains(":" + silent.localAddress().getPort());
            assertLegacyServed(server);
        }
    }

    @Test
    void aLegacyRequestArrivingSlowlyIsNotIdle() throws Exception {
        byte[] request = sizeOf("small.txt");
        // The request takes several idle timeouts to arrive.
        assertThat(request.length * 50L).isGreaterThan(2 * IDLE_TIMEOUT_MILLIS);
        try (CourierServer server = CourierServer.start(config().pingIntervalMillis(0)
                     .idleTimeoutMillis(IDLE_TIMEOUT_MILLIS).build());
             LegacyClient slow = new LegacyClient(server.legacyAddress().orElseThrow())) {
            for (byte b : request) {
                slow.send(new byte[] {b});
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // the pace of the slow sender under test
            }

            assertThat(slow.readLong()).isEqualTo(Files.size(root.resolve("small.txt")));
        }
    }

    @Test
    void aLegacyClientThatStopsReadingIsClosedWithinTheWriteTimeout() throws Exception {
        try (LogCapture log = LogCapture.of(LegacyHandler.class);
             CourierServer server = CourierServer.start(config().writeTimeoutMillis(WRITE_TIMEOUT_MILLIS).build());
             LegacyClient good = new LegacyClient(server.legacyAddress().orElseThrow());
             LegacyClient stuck = new LegacyClient(server.legacyAddress().orElseThrow(), 4096)) {
            // Both connections are open and counted: each has been answered once (a connection only connected may
            // not be counted yet, and the loop below would then end at once).
            assertLegacyServed(stuck);
            assertLegacyServed(good);
            assertThat(server.connectionCount()).isEqualTo(2);
            List<byte[]> chunks = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                chunks.add(file((long) (i % 4) * CHUNK_BYTES, CHUNK_BYTES, BIG));
            }
            long start = System.nanoTime();
            stuck.send(chunks.toArray(byte[][]::new));
            long deadline = start + TimeUnit.MILLISECONDS.toNanos(WRITE_TIMEOUT_MILLIS + WRITE_MARGIN_MILLIS + 2_000);
            while (server.connectionCount() > 1) {
                assertThat(System.nanoTime()).as("closed before the deadline").isLessThan(deadline);
                assertLegacyServed(good);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // the good client's pace
            }
            long afterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(afterMillis).isBetween(WRITE_TIMEOUT_MILLIS - 100, WRITE_TIMEOUT_MILLIS + WRITE_MARGIN_MILLIS);
            assertThat(stuck.endsAfterDraining()).isTrue();
            LogCapture.Line line = log.await(l -> l.message().contains("WRITE_TIMEOUT"), 5_000);
            assertThat(line.level()).isEqualTo(Level.WARN);
            assertThat(line.message()).contains(":" + stuck.localAddress().getPort());
            assertLegacyServed(good);
        }
    }

    @Test
    void aLegacyClientThatPipelinesChunksAndReadsNothingHoldsTwoFilesOpenAtMost() throws Exception {
        int requests = 64;
        int chunkBytes = 256 << 10;
        List<byte[]> chunks = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            chunks.add(file((long) (i % 16) * chunkBytes, chunkBytes, BIG));
        }
        try (CourierServer server = CourierServer.start(config().writeTimeoutMillis(0).build());
             LegacyClient c = new LegacyClient(server.legacyAddress().orElseThrow(), 4096)) {
            assertLegacyServed(c);
            long before = openFiles();
            c.send(chunks.toArray(byte[][]::new));
            // The server opens a file per FILE request as fast as it can: a second is plenty to see them pile up.
            long most = 0;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (System.nanoTime() < until) {
                most = Math.max(most, openFiles() - before);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // polling the fd count over the window
            }
            assertThat(most).as("files opened for the pipelined chunks").isLessThanOrEqualTo(
                    LegacyHandler.MAX_UNSENT_CHUNKS + 3L);

            // Nothing was lost by waiting: every chunk arrives, in order, byte for byte.
            byte[] file = Files.readAllBytes(root.resolve(BIG));
            byte[] got = new byte[chunkBytes];
            for (int i = 0; i < requests; i++) {
                c.readFully(got, 0, chunkBytes);
                int from = (i % 16) * chunkBytes;
                assertThat(Arrays.equals(got, 0, chunkBytes, file, from, from + chunkBytes))
                        .as("chunk %d", i).isTrue();
            }
            assertLegacyServed(c);
        }
    }

    /** Descriptors this JVM (the server's, in these tests) holds open right now. */
    private static long openFiles() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void theLegacyPortRefusesConnectionsOverItsOwnCapWhileTheMainPortStillAccepts() throws Exception {
        List<AutoCloseable> held = new ArrayList<>();
        try (LogCapture log = LogCapture.of("dev.courier.server.ConnectionLimit");
             CourierServer server = CourierServer.start(config().maxConnections(2).legacyMaxConnections(2).build())) {
            InetSocketAddress legacy = server.legacyAddress().orElseThrow();
            for (int i = 0; i < 2; i++) {
                LegacyClient c = new LegacyClient(legacy);
                held.add(c);
                assertLegacyServed(c);
            }
            try (LegacyClient third = new LegacyClient(legacy)) {
                third.readTimeoutMillis(5_000);
                assertThat(third.endsAfterDraining()).as("the third legacy connection is closed").isTrue();
                LogCapture.Line line = log.await(l -> l.message().contains("--legacy-max-connections"), 5_000);
                assertThat(line.level()).isEqualTo(Level.WARN);
                assertThat(line.message()).contains(":" + third.localAddress().getPort());
            }
            // The main port has places of its own: both are free, whatever the legacy port holds.
            for (int i = 0; i < 2; i++) {
                RawConnection c = RawConnection.handshaken(server.localAddress());
                held.add(c);
            }
            assertThat(server.connectionCount()).isEqualTo(4);
            for (AutoCloseable c : held.subList(0, 2)) {
                assertLegacyServed((LegacyClient) c);
            }
        } finally {
            for (AutoCloseable c : held) {
                c.close();
            }
        }
    }

    @Test
    void aBadRequestWithALongNameIsLoggedAtWarnInOneShortLine() throws Exception {
        String name = "\u001b[31m" + "x".repeat(4_000) + "\nforged line";
        try (LogCapture log = LogCapture.of(LegacyHandler.class);
             CourierServer server = CourierServer.start(config().build());
             LegacyClient c = new LegacyClient(server.legacyAddress().orElseThrow())) {
            c.send(sizeOf(name));
            c.assertClosedByServer();

            LogCapture.Line line = log.await(l -> l.message().contains("closing legacy connection"), 5_000);
            assertThat(line.level()).isEqualTo(Level.WARN);
            assertThat(line.message()).contains(":" + c.localAddress().getPort()).hasSizeLessThan(1_000)
                    .doesNotContain("\n", "\u001b").contains("\\x1b[31m");
            assertLegacyServed(server);
        }
    }

    private static void assertLegacyServed(CourierServer server) throws IOException {
        long start = System.nanoTime();
        try (LegacyClient c = new LegacyClient(server.legacyAddress().orElseThrow())) {
            assertLegacyServed(c);
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1_000);
        assertServedWithinASecond(server.localAddress());
    }

    /** A DATA request on {@code c}, answered with the CSV's value within a second. */
    private static void assertLegacyServed(LegacyClient c) throws IOException {
        long start = System.nanoTime();
        c.send(data(3, row2[0], 1));
        assertThat(c.readDouble()).isEqualTo(row2[1]);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1_000);
    }
}
