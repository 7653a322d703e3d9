package dev.courier.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.protocol.ErrorCode;
import dev.courier.server.CourierServer;
import dev.courier.server.ServerConfig;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.TestServers;
import java.io.IOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pushed range read ({@link Connection#range(String, long, long, int, int[], java.util.function.Consumer)})
 * against a real server: every value as the CSV has it, in order, through more than one window of credit; the
 * server's typed errors; a consumer that throws; and the connection serving on after each.
 */
class PushedRangeTest {
    /** More rows than one window ({@link Connection#RANGE_WINDOW_BYTES}) holds as f64 rows of two channels. */
    private static final int BIG_ROWS = 100_000;

    private static final class Collected {
        final List<SampleBlock> blocks = new ArrayList<>();
        final List<String> threads = new ArrayList<>();

        void add(SampleBlock b) {
            blocks.add(b);
            threads.add(Thread.currentThread().getName());
        }
    }

    /** A real server on loopback, a client and one connection to it, closed in the reverse order. */
    private record Served(CourierServer server, CourierClient client, Connection connection) implements AutoCloseable {
        static Served start(ServerConfig config) throws IOException, InterruptedException {
            CourierServer server = CourierServer.start(config);
            CourierClient client = new CourierClient(ClientConfig.of("127.0.0.1", server.localAddress().getPort()));
            try {
                return new Served(server, client, client.open());
            } catch (RuntimeException e) {
                client.close();
                server.close();
                throw e;
            }
        }

        @Override
        public void close() {
            connection.close();
            client.close();
            server.close();
        }
    }

    /** A recording of {@code rows} rows at 250 Hz, two channels of three decimals, in the bundled CSV layout. */
    private static Path writeRecording(Path dir, String name, int rows) throws IOException {
        try (Writer w = Files.newBufferedWriter(dir.resolve(name + ".csv"), StandardCharsets.US_ASCII)) {
            for (int i = 0; i < rows; i++) {
                int a = (i * 7) % 2001 - 1000;
                int b = (i * 13 + 500) % 3001 - 1500;
                w.write(String.format(Locale.ROOT, "%.3f,%.3f,%.3f%n", i * 0.004, a / 1000.0, b / 1000.0));
            }
        }
        Files.writeString(dir.resolve(name + ".json"),
                "{\"channels\": [{\"name\": \"a\", \"unit\": \"mV\"}, {\"name\": \"b\", \"unit\": \"mV\"}]}");
        return dir;
    }

    @Test
    void aRangeLongerThanTheWindowArrivesWholeInOrderOnTheEventLoop(@TempDir Path data, @TempDir Path files)
            throws Exception {
        writeRecording(data, "big", BIG_ROWS);
        CsvTruth truth = CsvTruth.load(data);
        try (Served served = Served.start(ServerConfig.of(new InetSocketAddress("127.0.0.1", 0), data, files))) {
            Connection c = served.connection();
            Collected got = new Collected();
            long rows = c.range("big", 0, BIG_ROWS, 1, new int[] {2, 1}, got::add).get(30, TimeUnit.SECONDS);

            assertThat(rows).isEqualTo(BIG_ROWS);
            assertThat((long) BIG_ROWS * 2 * Double.BYTES).as("the range needs credit back")
                    .isGreaterThan(Connection.RANGE_WINDOW_BYTES);
            assertThat(got.blocks).hasSizeGreaterThan(1);
            assertThat(got.threads).allSatisfy(t -> assertThat(t).startsWith("courier-client"));
            long next = 0;
            for (SampleBlock b : got.blocks) {
                for (int r = 0; r < b.rows(); r++, next++) {
                    assertThat(b.sampleIndex(r)).isEqualTo(next);
                    assertThat(b.value(r, 0)).isEqualTo(truth.value("big", (int) next, 2));
                    assertThat(b.value(r, 1)).isEqualTo(truth.value("big", (int) next, 1));
                }
            }
            assertThat(next).isEqualTo(BIG_ROWS);
        }
    }

    @Test
    void aStepGivesEveryKthSampleAsTheBlockingReadDoes() throws Exception {
        CsvTruth truth = CsvTruth.load();
        try (Served served = Served.start(TestServers.config(CsvTruth.dataDir()))) {
            Connection c = served.connection();
            Collected pushed = new Collected();
            long rows = c.range("3", 5, 1005, 10, new int[] {1, 2}, pushed::add).get(10, TimeUnit.SECONDS);
            assertThat(rows).isEqualTo(100);
            int seen = 0;
            for (SampleBlock b : pushed.blocks) {
                for (int r = 0; r < b.rows(); r++, seen++) {
                    int sample = 5 + 10 * seen;
                    assertThat(b.sampleIndex(r)).isEqualTo(sample);
                    assertThat(b.value(r, 0)).isEqualTo(truth.value("3", sample, 1));
                    assertThat(b.value(r, 1)).isEqualTo(truth.value("3", sample, 2));
                }
            }
            assertThat(seen).isEqualTo(100);
        }
    }

    @Test
    void theServersErrorsFailTheFutureAndTheConnectionServesOn() throws Exception {
        CsvTruth truth = CsvTruth.load();
        try (Served served = Served.start(TestServers.config(CsvTruth.dataDir()))) {
            Connection c = served.connection();
            int samples = truth.samples("3");
            assertThat(code(c.range("no-such-record", 0, 10, 1, new int[] {1}, b -> { })))
                    .isEqualTo(ErrorCode.UNKNOWN_RECORD);
            assertThat(code(c.range("3", 0, samples + 1, 1, new int[] {1}, b -> { })))
                    .isEqualTo(ErrorCode.TIME_OUT_OF_RANGE);
            assertThat(code(c.range("3", 0, 10, 1, new int[] {3}, b -> { })))
                    .isEqualTo(ErrorCode.UNKNOWN_CHANNEL);
            assertThat(c.point("3", 0.008, 1).get(10, TimeUnit.SECONDS).value()).isEqualTo(truth.value("3", 2, 1));
        }
    }

    @Test
    void aConsumerThatThrowsFailsTheReadWithItsExceptionAndCancelsTheStream() throws Exception {
        CsvTruth truth = CsvTruth.load();
        try (Served served = Served.start(TestServers.config(CsvTruth.dataDir()))) {
            Connection c = served.connection();
            int samples = truth.samples("3");
            IllegalStateException thrown = new IllegalStateException("the consumer gave up");
            int[] calls = {0};
            CompletableFuture<Long> read = c.range("3", 0, samples, 1, new int[] {1, 2}, b -> {
                calls[0]++;
                throw thrown;
            });
            assertThatThrownBy(() -> read.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isSameAs(thrown);
            assertThat(calls[0]).as("no block after the one that threw").isEqualTo(1);
            Collected after = new Collected();
            assertThat(c.range("3", 0, 100, 1, new int[] {1}, after::add).get(10, TimeUnit.SECONDS)).isEqualTo(100);
            assertThat(after.blocks.getFirst().value(99, 0)).isEqualTo(truth.value("3", 99, 1));
        }
    }

    @Test
    void cancellingTheFutureCancelsTheStreamAndTheConnectionServesOn(@TempDir Path data, @TempDir Path files)
            throws Exception {
        writeRecording(data, "big", BIG_ROWS);
        CsvTruth truth = CsvTruth.load(data);
        try (Served served = Served.start(ServerConfig.of(new InetSocketAddress("127.0.0.1", 0), data, files))) {
            Connection c = served.connection();
            // Each read is longer than its window: one cancelled that went on would get no more credit and hold its
            // stream on the server for good, and more of them than a connection may hold open
            // (ServerConfig.DEFAULT_MAX_STREAMS_PER_CONNECTION) would make the next read TOO_MANY_STREAMS.
            // The consumer holds the first block until the read is cancelled: its credit goes back when the consumer
            // returns, and a client that decodes fast enough would otherwise finish the read before the cancel.
            for (int i = 0; i < ServerConfig.DEFAULT_MAX_STREAMS_PER_CONNECTION + 4; i++) {
                CompletableFuture<SampleBlock> first = new CompletableFuture<>();
                CountDownLatch cancelled = new CountDownLatch(1);
                CompletableFuture<Long> read = c.range("big", 0, BIG_ROWS, 1, new int[] {1, 2}, b -> {
                    first.complete(b);
                    awaitUninterruptibly(cancelled);
                });
                first.get(10, TimeUnit.SECONDS);
                assertThat(read.cancel(false)).isTrue();
                cancelled.countDown();
            }
            Collected again = new Collected();
            assertThat(c.range("big", 7, 17, 1, new int[] {1}, again::add).get(10, TimeUnit.SECONDS)).isEqualTo(10);
            assertThat(again.blocks.getFirst().value(9, 0)).isEqualTo(truth.value("big", 16, 1));
        }
    }

    private static ErrorCode code(CompletableFuture<Long> read) {
        try {
            read.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return ((CourierException) e.getCause()).code();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("the read succeeded");
    }

    /** Waits for {@code latch}, at most 10 s (then the test fails on what it waited for). */
    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
