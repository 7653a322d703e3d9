package dev.courier.systemtest;

import static dev.courier.server.testing.WellBehavedClient.assertServedWithinASecond;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.ReadRequest;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.RawConnection;
import dev.courier.server.testing.TestFiles;
import dev.courier.server.testing.WellBehavedClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongPredicate;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code courier serve} process against clients that hold its resources: clients that stop reading, silent
 * legacy connections, a legacy request with a long hostile name. The server lets go of them within its timeouts (its
 * open descriptors, read from /proc, come back down), says so at WARN on stderr in short lines, and serves
 * well-behaved clients of both protocols within a second meanwhile.
 */
@Timeout(120)
class ConnectionLifetimeProcessTest {
    private static final Pattern MAIN_PORT = Pattern.compile("on 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern LEGACY_PORT = Pattern.compile("legacy protocol on 127\\.0\\.0\\.1:(\\d+)");
    private static final int CHUNK_BYTES = 1 << 20;
    /** A receive window this small fills at once: the client takes nothing after its first few kilobytes. */
    private static final int TINY_RECEIVE_BUFFER_BYTES = 4096;

    @TempDir
    static Path served;
    static double sampleValue;

    @BeforeAll
    static void files() throws IOException {
        TestFiles.random(served.resolve("big.bin"), 4L * CHUNK_BYTES, 4);
        Files.writeString(served.resolve("small.txt"), "small\n");
        sampleValue = CsvTruth.load().value("3", 2, 1);
    }

    private static CourierProcess server(String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("--port", "0", "--legacy-port", "0", "--data",
                CsvTruth.dataDir().toString(), "--files", served.toString()));
        args.addAll(List.of(more));
        return CourierProcess.server(args.toArray(String[]::new));
    }

    private static InetSocketAddress address(CourierProcess server, Pattern port) {
        for (String line : server.output()) {
            Matcher m = port.matcher(line);
            if (m.find()) {
                return new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(1)));
            }
        }
        throw new AssertionError("no port in " + server.output());
    }

    @Test
    void clientsThatStopReadingLoseTheirConnectionsAndTheServersFilesWithinTheWriteTimeout() throws Exception {
        int mainClients = 8;
        int legacyClients = 4;
        try (CourierProcess server = server("--write-timeout-ms", "1000")) {
            InetSocketAddress main = address(server, MAIN_PORT);
            InetSocketAddress legacy = address(server, LEGACY_PORT);
            long baseline = openFiles(server.pid());
            List<AutoCloseable> stuck = new ArrayList<>();
            try (RawConnection good = RawConnection.handshaken(main);
                 LegacySocket goodLegacy = new LegacySocket(legacy, 0)) {
                for (int i = 0; i < mainClients; i++) {
                    RawConnection c = RawConnection.handshaken(main, TINY_RECEIVE_BUFFER_BYTES);
                    stuck.add(c);
                    for (int id = 1; id <= 32; id++) {
                        c.send(new ReadRequest(id, "big.bin", (long) (id % 4) * CHUNK_BYTES, CHUNK_BYTES));
                    }
                }
                for (int i = 0; i < legacyClients; i++) {
                    LegacySocket c = new LegacySocket(legacy, TINY_RECEIVE_BUFFER_BYTES);
                    stuck.add(c);
                    for (int k = 0; k < 16; k++) {
                        c.send(LegacySocket.file((long) (k % 4) * CHUNK_BYTES, CHUNK_BYTES, "big.bin"));
                    }
                }
                // Their sockets at least, and the files of the chunks waiting for them.
                long held = awaitOpenFiles(server.pid(), n -> n >= baseline + mainClients + legacyClients, 30);
                assertThat(held).isGreaterThanOrEqualTo(baseline + mainClients + legacyClients);

                long start = System.nanoTime();
                long deadline = start + TimeUnit.SECONDS.toNanos(20);
                int id = 100;
                while (openFiles(server.pid()) > baseline + 3) {
                    assertThat(System.nanoTime()).as("the server let go before the deadline").isLessThan(deadline);
                    WellBehavedClient.assertServed(good, id++);
                    goodLegacy.assertServed(sampleValue);
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // the good clients' pace
                }
                assertServedWithinASecond(main);
                goodLegacy.assertServed(sampleValue);
            } finally {
                for (AutoCloseable c : stuck) {
                    c.close();
                }
            }
            List<String> warnings = server.output().stream().filter(l -> l.contains("WRITE_TIMEOUT")).toList();
            assertThat(warnings).as("one WARN line per connection cut off").hasSize(mainClients + legacyClients)
                    .allSatisfy(l -> assertThat(l).contains("WARN").contains("bytes waiting for it"));
            assertThat(warnings.stream().filter(l -> l.contains("legacy"))).hasSize(legacyClients);
        }
    }

    @Test
    void silentLegacyConnectionsAreClosedAfterTheIdleTimeoutAndNeverTakeTheMainPortsPlaces() throws Exception {
        try (CourierProcess server = server("--max-connections", "4", "--legacy-max-connections", "4",
                "--ping-interval-ms", "0", "--idle-timeout-ms", "5000")) {
            // The idle timeout must outlast everything below until the silent ones are waited on (four handshakes,
            // a refusal, three main connections): 1.5 s was too short on a loaded machine, where the first silent
            // connection was closed before the fifth was refused, which then found a free place.
            InetSocketAddress main = address(server, MAIN_PORT);
            InetSocketAddress legacy = address(server, LEGACY_PORT);
            long baseline = openFiles(server.pid());
            List<LegacySocket> silent = new ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    LegacySocket c = new LegacySocket(legacy, 0);
                    silent.add(c);
                    // Admitted (the server counts a connection once set up), then silent. The first answer of a
                    // fresh server loads the legacy path's classes, which on a busy machine can take a second by
                    // itself: it is not what this test times.
                    if (i == 0) {
                        c.assertAnswered(sampleValue);
                    } else {
                        c.assertServed(sampleValue);
                    }
                }
                try (LegacySocket fifth = new LegacySocket(legacy, 0)) {
                    // Closed at once, long before the idle timeout could have closed it.
                    assertThat(fifth.endsWithin(1_000)).as("the fifth legacy connection is refused").isTrue();
                }
                // Every place of the main port is still free.
                List<RawConnection> mains = new ArrayList<>();
                try {
                    for (int i = 0; i < 3; i++) {
                        mains.add(RawConnection.handshaken(main));
                    }
                    assertServedWithinASecond(main);
                } finally {
                    for (RawConnection c : mains) {
                        c.close();
                    }
                }
                for (LegacySocket c : silent) {
                    assertThat(c.endsWithin(10_000)).as("a silent legacy connection is closed").isTrue();
                }
                awaitOpenFiles(server.pid(), n -> n <= baseline + 1, 10);
            } finally {
                for (LegacySocket c : silent) {
                    c.close();
                }
            }
            awaitOutput(server, l -> l.contains("WARN") && l.contains("--legacy-max-connections"));
            for (LegacySocket c : silent) {
                awaitOutput(server, l -> l.contains("WARN") && l.contains("IDLE_TIMEOUT")
                        && l.contains(":" + c.localPort() + ":"));
            }
            try (LegacySocket after = new LegacySocket(legacy, 0)) {
                after.assertServed(sampleValue);
            }
        }
    }

    @Test
    void aBadLegacyRequestWithAHostileLongNameIsLoggedAtWarnInOneShortEscapedLine() throws Exception {
        String name = "\u001b[2J" + "y".repeat(4_000) + "\nWARN forged line";
        try (CourierProcess server = server();
             LegacySocket c = new LegacySocket(address(server, LEGACY_PORT), 0)) {
            c.send(LegacySocket.file(0, 0, name));
            assertThat(c.endsWithin(10_000)).as("the connection is closed after the bad request").isTrue();

            String line = awaitOutput(server, l -> l.contains("closing legacy connection")
                    && l.contains(":" + c.localPort() + " "));
            assertThat(line).contains("WARN").hasSizeLessThan(1_000).doesNotContain("\u001b").contains("\\x1b[2J");
            assertThat(server.output()).as("no line forged by the name's newline")
                    .noneMatch(l -> l.contains(": WARN forged line"));
            assertThat(server.output()).allSatisfy(l -> assertThat(l.length()).isLessThan(1_000));
            try (LegacySocket after = new LegacySocket(address(server, LEGACY_PORT), 0)) {
                after.assertServed(sampleValue);
            }
        }
    }

    /** The first line the process has printed that matches, waiting up to 10 s for it. */
    private static String awaitOutput(CourierProcess server, Predicate<String> match) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            for (String line : server.output()) {
                if (match.test(line)) {
                    return line;
                }
            }
            assertThat(System.nanoTime()).as("a matching line in %s", server.output()).isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // polling what the process printed
        }
    }

    private static long openFiles(long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            return fds.count();
        }
    }

    /** Polls the process's descriptor count until it matches, for up to {@code seconds}; returns it. */
    private static long awaitOpenFiles(long pid, LongPredicate match, long seconds)
            throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            long n = openFiles(pid);
            if (match.test(n)) {
                return n;
            }
            assertThat(System.nanoTime()).as("open files (now %d) reached the expected count in time", n)
                    .isLessThan(deadline);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20)); // polling OS state with a deadline
        }
    }
}
