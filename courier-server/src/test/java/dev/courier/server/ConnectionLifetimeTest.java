package dev.courier.server;

import static dev.courier.server.testing.WellBehavedClient.assertServed;
import static dev.courier.server.testing.WellBehavedClient.assertServedWithinASecond;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.Message;
import dev.courier.protocol.MessageWriter;
import dev.courier.protocol.PointBatchReply;
import dev.courier.protocol.PointBatchRequest;
import dev.courier.protocol.ReadRequest;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.RawConnection;
import dev.courier.server.testing.TestFiles;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How long a connection may hold the server's resources, against real servers on loopback with short timeouts: a
 * client that stops reading is cut off within the write timeout, the idle close does not wait behind bytes the client
 * is not taking, and a frame that arrives slowly is not mistaken for silence. A well-behaved client is served within
 * a second throughout.
 */
@Timeout(60)
class ConnectionLifetimeTest {
    private static final long WRITE_TIMEOUT_MILLIS = 1_000;
    private static final long IDLE_TIMEOUT_MILLIS = 500;
    /** Generous for a loaded machine: the sweep adds up to a quarter of the timeout, a busy loop more. */
    private static final long MARGIN_MILLIS = 4_000;
    /**
     * For the write timeout, more: while the client's window is closed the kernel still grows the server's send
     * buffer now and then (to about 1.4 MB here), taking bytes out of the server, which is progress for the server;
     * the timeout counts from the last of those.
     */
    private static final long WRITE_MARGIN_MILLIS = 10_000;
    /** A receive window this small fills at once: the client takes nothing after its first few kilobytes. */
    private static final int TINY_RECEIVE_BUFFER_BYTES = 4096;
    private static final int FILE_BYTES = 1 << 20;

    @TempDir
    static Path root;
    static CsvTruth truth;

    @BeforeAll
    static void files() throws Exception {
        TestFiles.random(root.resolve("big.bin"), FILE_BYTES, 10);
        truth = CsvTruth.load();
    }

    private static CourierServer start(ServerConfig.Builder config) throws Exception {
        return CourierServer.start(config.build());
    }

    private static ServerConfig.Builder config() {
        return ServerConfig.of(new InetSocketAddress("127.0.0.1", 0), CsvTruth.dataDir(), root).toBuilder();
    }

    @Test
    void aClientThatStopsReadingItsChunksIsClosedWithinTheWriteTimeout() throws Exception {
        try (CourierServer server = start(config().writeTimeoutMillis(WRITE_TIMEOUT_MILLIS));
             RawConnection good = RawConnection.handshaken(server.localAddress());
             RawConnection stuck = RawConnection.handshaken(server.localAddress(), TINY_RECEIVE_BUFFER_BYTES)) {
            long sentNanos = System.nanoTime();
            for (int id = 1; id <= 64; id++) {
                stuck.send(new ReadRequest(id, "big.bin", 0, FILE_BYTES));
            }
            long closedAfterMillis = awaitWhileServing(good, () -> server.connectionCount() == 1, sentNanos);

            assertThat(closedAfterMillis)
                    .isBetween(WRITE_TIMEOUT_MILLIS - 100, WRITE_TIMEOUT_MILLIS + WRITE_MARGIN_MILLIS);
            assertThat(drainsToTheEnd(stuck)).as("the stuck client's connection is closed").isTrue();
            assertServed(good, 99);
            assertServedWithinASecond(server.localAddress());
        }
    }

    @Test
    void aClientThatPipelinesPointsAndNeverReadsIsClosedWithinTheWriteTimeout() throws Exception {
        try (CourierServer server = start(config().writeTimeoutMillis(WRITE_TIMEOUT_MILLIS));
             RawConnection good = RawConnection.handshaken(server.localAddress());
             RawConnection stuck = RawConnection.handshaken(server.localAddress(), TINY_RECEIVE_BUFFER_BYTES)) {
            // 8 MB of replies: more than the kernel's socket buffers take (up to 4 MiB each way here), so some wait
            // in the server.
            byte[] points = batches(40, 10_000);
            long sentNanos = System.nanoTime();
            // The server stops reading once its replies back up, so this write may block until the server lets go.
            Thread sender = Thread.ofVirtual().start(() -> {
                try {
                    stuck.sendRaw(points);
                } catch (IOException expected) {
                    // The server cut the connection while we were still sending.
                }
            });
            long closedAfterMillis = awaitWhileServing(good, () -> server.connectionCount() == 1, sentNanos);

            assertThat(closedAfterMillis)
                    .isBetween(WRITE_TIMEOUT_MILLIS - 100, WRITE_TIMEOUT_MILLIS + WRITE_MARGIN_MILLIS);
            sender.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(sender.isAlive()).as("the sender is unblocked by the close").isFalse();
            assertServedWithinASecond(server.localAddress());
        }
    }

    @Test
    void theIdleCloseDoesNotWaitBehindRepliesTheClientIsNotTaking() throws Exception {
        // No write timeout: only the idle timeout can end this connection. Chunks are file regions, which do not
        // count against writability, so the server writes its IDLE_TIMEOUT error behind them and closes after the
        // grace (2 s) for it: before, it waited for that error to be sent, for ever.
        try (CourierServer server = start(config().pingIntervalMillis(0).idleTimeoutMillis(IDLE_TIMEOUT_MILLIS)
                .writeTimeoutMillis(0));
             RawConnection stuck = RawConnection.handshaken(server.localAddress(), TINY_RECEIVE_BUFFER_BYTES)) {
            long sentNanos = System.nanoTime();
            for (int id = 1; id <= 64; id++) {
                stuck.send(new ReadRequest(id, "big.bin", 0, FILE_BYTES));
            }
            long closedAfterMillis = await(() -> server.connectionCount() == 0, sentNanos);

            assertThat(closedAfterMillis).isBetween(IDLE_TIMEOUT_MILLIS - 100, IDLE_TIMEOUT_MILLIS + MARGIN_MILLIS);
            assertThat(drainsToTheEnd(stuck)).isTrue();
            assertServedWithinASecond(server.localAddress());
        }
    }

    @Test
    void aFrameArrivingSlowlyIsNotIdle() throws Exception {
        double[] times = {0.004, 0.008, 0.012, 0.016, 0.02};
        byte[] frame = encode(new PointBatchRequest(5, "2", 1, times));
        long pauseNanos = TimeUnit.MILLISECONDS.toNanos(50);
        // The frame takes several idle timeouts to arrive, and no whole frame arrives meanwhile.
        assertThat(frame.length * 50L).isGreaterThan(4 * IDLE_TIMEOUT_MILLIS);
        try (CourierServer server = start(config().pingIntervalMillis(0).idleTimeoutMillis(IDLE_TIMEOUT_MILLIS));
             RawConnection slow = RawConnection.handshaken(server.localAddress())) {
            for (byte b : frame) {
                slow.sendRaw(new byte[] {b});
                LockSupport.parkNanos(pauseNanos); // the pace of the slow sender under test
            }
            Message m = slow.receive();

            assertThat(m).isInstanceOf(PointBatchReply.class);
            PointBatchReply r = (PointBatchReply) m;
            assertThat(r.requestId()).isEqualTo(5);
            for (int i = 0; i < times.length; i++) {
                assertThat(r.values()[i]).isEqualTo(truth.value("2", i + 1, 1));
            }
            assertServedWithinASecond(server.localAddress());
        }
    }

    @Test
    void aSilentClientIsStillClosedAfterTheIdleTimeout() throws Exception {
        try (CourierServer server = start(config().pingIntervalMillis(0).idleTimeoutMillis(IDLE_TIMEOUT_MILLIS));
             RawConnection silent = RawConnection.handshaken(server.localAddress())) {
            long startNanos = System.nanoTime();
            Message m = silent.receive();
            long afterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);

            assertThat(m).isInstanceOfSatisfying(ErrorReply.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.IDLE_TIMEOUT));
            assertThat(silent.closedByServer()).isTrue();
            assertThat(afterMillis).isBetween(IDLE_TIMEOUT_MILLIS - 100, IDLE_TIMEOUT_MILLIS + MARGIN_MILLIS);
        }
    }

    /**
     * Waits until {@code done}, asking {@code good} for a point every few dozen milliseconds meanwhile, each answered
     * within a second; returns the milliseconds from {@code sinceNanos} to when {@code done} was first seen.
     */
    private static long awaitWhileServing(RawConnection good, BooleanSupplier done, long sinceNanos)
            throws IOException {
        long deadline = sinceNanos + TimeUnit.MILLISECONDS.toNanos(WRITE_TIMEOUT_MILLIS + WRITE_MARGIN_MILLIS + 2_000);
        int id = 1_000;
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("closed before the deadline").isLessThan(deadline);
            assertServed(good, id++);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // the good client's pace
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos);
    }

    private static long await(BooleanSupplier done, long sinceNanos) {
        long deadline = sinceNanos + TimeUnit.MILLISECONDS.toNanos(WRITE_TIMEOUT_MILLIS + WRITE_MARGIN_MILLIS + 2_000);
        while (!done.getAsBoolean()) {
            assertThat(System.nanoTime()).as("closed before the deadline").isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // polling server state with a deadline
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos);
    }

    /** Reads whatever the server had sent until the stream ends; true when it ended (end of stream or reset). */
    private static boolean drainsToTheEnd(RawConnection c) throws IOException {
        try {
            while (true) {
                c.receive();
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException | RuntimeException e) {
            return true; // end of stream, a reset, or a frame cut short by the close
        }
    }

    /** {@code count} pipelined POINT_BATCH requests of {@code points} points each, as one run of bytes. */
    private static byte[] batches(int count, int points) {
        double[] times = new double[points];
        for (int i = 0; i < points; i++) {
            times[i] = (i % 15_000) * 0.004;
        }
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int id = 1; id <= count; id++) {
            all.writeBytes(encode(new PointBatchRequest(id, "1", 1, times)));
        }
        return all.toByteArray();
    }

    private static byte[] encode(Message m) {
        ByteBuf buf = Unpooled.buffer();
        try {
            MessageWriter.write(m, buf);
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return bytes;
        } finally {
            buf.release();
        }
    }
}
