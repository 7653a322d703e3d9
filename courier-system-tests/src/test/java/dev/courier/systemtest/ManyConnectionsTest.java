package dev.courier.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.client.ClientConfig;
import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.client.Point;
import dev.courier.server.testing.CsvTruth;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Thousands of connections open at once to one server process, each answered correctly while all the others are
 * open. The server runs as a child process so that the two ends do not share this JVM's 20,000 open files.
 */
class ManyConnectionsTest {
    private static final int CONNECTIONS = 5_000;
    private static final int CONNECTING_AT_ONCE = 500;

    @Test
    void fiveThousandConcurrentConnectionsToOneServerProcessAreAllAnsweredCorrectly() throws Exception {
        CsvTruth truth = CsvTruth.load();
        try (CourierProcess server = CourierProcess.server("--port", "0", "--data", CsvTruth.dataDir().toString());
             CourierClient client = new CourierClient(ClientConfig.of("127.0.0.1", ProcessFaultsTest.portOf(server))
                     .withIoThreads(2).withConnectTimeoutMillis(20_000))) {
            long serverFilesBefore = openFiles(server.pid());
            Semaphore connecting = new Semaphore(CONNECTING_AT_ONCE);
            List<CompletableFuture<Connection>> opening = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                assertThat(connecting.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
                opening.add(client.connect().whenComplete((c, e) -> connecting.release()));
            }
            List<Connection> open = new ArrayList<>();
            try {
                for (CompletableFuture<Connection> f : opening) {
                    open.add(f.get(60, TimeUnit.SECONDS));
                }
                assertThat(openFiles(server.pid()) - serverFilesBefore).as("connections the server holds")
                        .isGreaterThanOrEqualTo(CONNECTIONS);
                for (int round = 0; round < 2; round++) {
                    List<CompletableFuture<Point>> replies = new ArrayList<>(CONNECTIONS);
                    for (int i = 0; i < CONNECTIONS; i++) {
                        int key = i + round * CONNECTIONS;
                        replies.add(open.get(i).point(String.valueOf(1 + key % 15), (key % 15_000) * 0.004,
                                1 + key % 2));
                    }
                    for (int i = 0; i < CONNECTIONS; i++) {
                        int key = i + round * CONNECTIONS;
                        Point r = replies.get(i).get(60, TimeUnit.SECONDS);
                        assertThat(r.sampleIndex()).isEqualTo(key % 15_000);
                        assertThat(r.value()).isEqualTo(truth.value(String.valueOf(1 + key % 15), key % 15_000,
                                1 + key % 2));
                    }
                }
                assertThat(open).allMatch(Connection::isOpen);
            } finally {
                for (Connection c : open) {
                    c.closeAsync();
                }
            }
        }
    }

    private static long openFiles(long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            return fds.count();
        }
    }
}
