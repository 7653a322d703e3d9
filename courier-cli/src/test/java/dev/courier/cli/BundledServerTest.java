package dev.courier.cli;

import dev.courier.server.CourierServer;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * What the command tests share: a real server on the bundled data, started before a test class's first test and
 * closed after its last, its address as a command's {@code -s} takes it, and the CSV files' values to check answers
 * against. Test classes run one after another here (no parallel execution is configured), so while one runs these
 * fields are its own.
 */
abstract class BundledServerTest {
    static CourierServer server;
    static String address;
    static CsvTruth truth;

    @BeforeAll
    static void startBundledServer() throws Exception {
        server = TestServers.start();
        address = "127.0.0.1:" + server.localAddress().getPort();
        truth = CsvTruth.load();
    }

    @AfterAll
    static void stopBundledServer() {
        server.close();
    }
}
