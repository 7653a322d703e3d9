package dev.courier.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.server.CourierServer;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** 200 clients at once, each with its own connections, doing points and downloads against one server. */
class ManyClientsTest {
    static final int CLIENTS = 200;

    @Test
    void twoHundredClientsAtOnceAllGetCorrectResults(@TempDir Path dest) throws Exception {
        CsvTruth truth = CsvTruth.load();
        List<String> records = truth.records();
        try (CourierServer server = TestServers.start();
             CourierClient client = new CourierClient(ClientConfig.of("127.0.0.1", server.localAddress().getPort()))) {
            CountDownLatch allConnected = new CountDownLatch(CLIENTS);
            List<Future<Integer>> results = new ArrayList<>();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int id = 0; id < CLIENTS; id++) {
                    int clientId = id;
                    results.add(pool.submit(() -> {
                        Random random = new Random(clientId);
                        int checked = 0;
                        try (Connection c = client.open()) {
                            allConnected.countDown();
                            assertThat(allConnected.await(60, TimeUnit.SECONDS)).isTrue(); // all at once
                            List<CompletableFuture<Point>> replies = new ArrayList<>();
                            int[] index = new int[500];
                            String[] record = new String[500];
                            for (int i = 0; i < index.length; i++) {
                                record[i] = records.get(random.nextInt(records.size()));
                                index[i] = random.nextInt(truth.samples(record[i]));
                                replies.add(c.point(record[i], index[i] * 0.004, 2));
                            }
                            for (int i = 0; i < index.length; i++) {
                                assertThat(replies.get(i).join().value())
                                        .isEqualTo(truth.value(record[i], index[i], 2));
                                checked++;
                            }
                        }
                        String file = records.get(clientId % records.size()) + ".csv";
                        Path target = dest.resolve(clientId + "-" + file);
                        new Downloader(client, DownloadOptions.defaults().withChunkBytes(32 << 10).withConnections(2),
                                DownloadProgress.NONE).download(file, target);
                        assertThat(Files.mismatch(CsvTruth.dataDir().resolve(file), target)).isEqualTo(-1);
                        return checked + 1;
                    }));
                }
            }
            int total = 0;
            for (Future<Integer> f : results) {
                total += f.get();
            }
            assertThat(total).isEqualTo(CLIENTS * 501);
        }
    }
}
