package dev.courier.server.legacy;

import static dev.courier.server.legacy.LegacyClient.concat;
import static dev.courier.server.legacy.LegacyClient.data;
import static dev.courier.server.legacy.LegacyClient.file;
import static dev.courier.server.legacy.LegacyClient.hex;
import static dev.courier.server.legacy.LegacyClient.quit;
import static dev.courier.server.legacy.LegacyClient.sizeOf;
import static dev.courier.server.legacy.LegacyClient.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.server.CourierServer;
import dev.courier.server.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The legacy protocol end to end: a real server on loopback port 0, raw sockets writing little-endian requests,
 * replies checked against the CSV files and the served files as the test reads them itself.
 */
@Timeout(120)
class LegacyServerTest {
    private static final int MAX_CHUNK_BYTES = 1 << 20;
    private static final int BIG_FILE_BYTES = 16 << 20;
    private static final String BIG = "random.bin";

    @TempDir
    static Path filesRoot;
    @TempDir
    static Path outside;

    private static Path dataDir;
    private static byte[] big;
    private static CourierServer server;
    private static InetSocketAddress legacy;

    @BeforeAll
    static void start() throws Exception {
        dataDir = Path.of(System.getProperty("courier.data.dir"));
        big = new byte[BIG_FILE_BYTES];
        new Random(20240229L).nextBytes(big);
        Files.write(filesRoot.resolve(BIG), big);
        Files.writeString(filesRoot.resolve("small.txt"), "a small file\n");
        Files.createDirectories(filesRoot.resolve("sub"));
        Files.writeString(filesRoot.resolve("sub/nested.txt"), "nested, one level down\n");
        Files.createSymbolicLink(filesRoot.resolve("inside-link"), filesRoot.resolve("small.txt"));
        Files.writeString(outside.resolve("secret.txt"), "not to be served\n");
        Files.createSymbolicLink(filesRoot.resolve("escape-link"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(filesRoot.resolve("escape-dir"), outside);

        ServerConfig config = ServerConfig.of(new InetSocketAddress("127.0.0.1", 0), dataDir, filesRoot)
                .withLegacy(0, MAX_CHUNK_BYTES);
        server = CourierServer.start(config);
        legacy = server.legacyAddress().orElseThrow();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void answersTheDataExampleOfTheOldProtocol() throws IOException {
        try (LegacyClient c = new LegacyClient(legacy)) {
            c.send(hex("01000000 03000000 fca9f1d24d62803f 01000000 00000000"));

            assertThat(c.readDouble()).isEqualTo(-0.295);
        }
    }

    @Test
    void answersDataWithTheValuesInTheCsvFiles() throws IOException {
        try (LegacyClient c = new LegacyClient(legacy)) {
            for (int person : new int[] {1, 3, 8, 15}) {
                double[][] rows = csv(person);
                for (int row : new int[] {0, 1, 2, 777, 7_500, rows.length - 1}) {
                    for (int ecg = 1; ecg <= 2; ecg++) {
                        c.send(data(person, rows[row][0], ecg));

                        assertThat(c.readDouble()).as("person %d row %d ecg %d", person, row, ecg)
                                .isEqualTo(rows[row][ecg]);
                    }
                }
            }
        }
    }

    @Test
    void answersTheNearestSampleForATimeBetweenSamples() throws IOException {
        double[][] rows = csv(5);
        try (LegacyClient c = new LegacyClient(legacy)) {
            // 250 Hz: 10.0011 s is nearest to sample 2500, 10.0031 s to sample 2501.
            c.send(data(5, 10.0011, 2), data(5, 10.0031, 2));

            assertThat(c.readDouble()).isEqualTo(rows[2500][2]);
            assertThat(c.readDouble()).isEqualTo(rows[2501][2]);
        }
    }

    @Test
    void repliesWithTheFileSizeToOffsetAndLengthZero() throws IOException {
        try (LegacyClient c = new LegacyClient(legacy)) {
            c.send(sizeOf(BIG), sizeOf("small.txt"), sizeOf("sub/nested.txt"), sizeOf("inside-link"));

            assertThat(c.readLong()).isEqualTo(BIG_FILE_BYTES);
            assertThat(c.readLong()).isEqualTo(Files.size(filesRoot.resolve("small.txt")));
            assertThat(c.readLong()).isEqualTo(Files.size(filesRoot.resolve("sub/nested.txt")));
            assertThat(c.readLong()).isEqualTo(Files.size(filesRoot.resolve("small.txt")));
        }
    }

    @Test
    void repliesWithExactlyTheRequestedBytesOfTheFile() throws IOException {
        try (LegacyClient c = new LegacyClient(legacy)) {
            long[][] ranges = {{0, 1}, {0, 4096}, {12_345, 6_789}, {BIG_FILE_BYTES - 100, 100},
                    {BIG_FILE_BYTES - MAX_CHUNK_BYTES, MAX_CHUNK_BYTES}, {BIG_FILE_BYTES - 1, 1}};
            for (long[] r : ranges) {
                c.send(file(r[0], (int) r[1], BIG));

                assertThat(c.readExactly((int) r[1])).as("%d bytes at %d", r[1], r[0])
                        .isEqualTo(Arrays.copyOfRange(big, (int) r[0], (int) (r[0] + r[1])));
            }
            byte[] small = Files.readAllBytes(filesRoot.resolve("small.txt"));
            c.send(file(2, 5, "inside-link"));
            assertThat(c.readExactly(5)).isEqualTo(Arrays.copyOfRange(small, 2, 7));
        }
    }

    @Test
    void servesTheCsvFilesOfTheDataSetWhenTheyAreTheFilesRoot() throws Exception {
        ServerConfig config = ServerConfig.of(new InetSocketAddress("127.0.0.1", 0), dataDir, dataDir)
                .withLegacy(0, ServerConfig.DEFAULT_LEGACY_MAX_CHUNK_BYTES);
        try (CourierServer other = CourierServer.start(config);
             LegacyClient c = new LegacyClient(other.legacyAddress().orElseThrow())) {
            byte[] csv = Files.readAllBytes(dataDir.resolve("3.csv"));
            c.send(sizeOf("3.csv"), file(0, csv.length, "3.csv"), file(15, 14, "3.csv"));

            assertThat(c.readLong()).isEqualTo(csv.length);
            assertThat(c.readExactly(csv.length)).isEqualTo(csv);
            assertThat(new String(c.readExactly(14), StandardCharsets.US_ASCII))
                    .isEqualTo("0.004,-0.305,-");
        }
    }

    @Test
    void answersThousandsOfBackToBackRequestsInOneWriteInOrder() throws Exception {
        ByteArrayOutputStream requests = new ByteArrayOutputStream();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        Random random = new Random(7);
        double[][][] persons = new double[16][][];
        for (int i = 0; i < 1000; i++) {
            int person = 1 + i % 15;
            if (persons[person] == null) {
                persons[person] = csv(person);
            }
            int row = random.nextInt(persons[person].length);
            int ecg = 1 + random.nextInt(2);
            requests.writeBytes(data(person, persons[person][row][0], ecg));
            expected.writeBytes(LegacyClient.le(8).putDouble(persons[person][row][ecg]).array());
            if (i % 25 == 0) {
                int length = 1 + random.nextInt(8192);
                int offset = random.nextInt(BIG_FILE_BYTES - length);
                requests.writeBytes(file(offset, length, BIG));
                expected.write(big, offset, length);
            }
            if (i % 97 == 0) {
                requests.writeBytes(sizeOf("small.txt"));
                expected.writeBytes(LegacyClient.le(8).putLong(Files.size(filesRoot.resolve("small.txt"))).array());
            }
            if (i % 133 == 0) {
                requests.writeBytes(type(42));
                expected.write(0);
            }
        }
        requests.writeBytes(quit());
        byte[] want = expected.toByteArray();

        try (LegacyClient c = new LegacyClient(legacy)) {
            // Sent from another thread, so that neither side's buffers have to hold the whole exchange.
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    c.send(requests.toByteArray());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            byte[] got = c.readExactly(want.length);
            sent.get();

            assertThat(Arrays.mismatch(got, want)).as("first byte that differs").isEqualTo(-1);
            c.assertClosedByServer();
        }
    }

    @Test
    void answersARequestThatArrivesOneByteAtATime() throws IOException {
        try (LegacyClient c = new LegacyClient(legacy)) {
            c.sendByteByByte(concat(file(100, 16, BIG), data(3, 0.008, 1)));

            assertThat(c.readExactly(16)).isEqualTo(Arrays.copyOfRange(big, 100, 116));
            assertThat(c.readDouble()).isEqualTo(-0.295);
        }
    }

    @Test
    void quitClosesTheConnectionAfterAnsweringWhatCameBefore() throws IOException {
        try (LegacyClient c = new LegacyClient(legacy)) {
            c.send(data(3, 0.008, 1), file(0, 10, BIG), quit());

            assertThat(c.readDouble()).isEqualTo(-0.295);
            assertThat(c.readExactly(10)).isEqualTo(Arrays.copyOf(big, 10));
            c.assertClosedByServer();
        }
        assertAnotherClientIsServed();
    }

    @Test
    void answersAnUnknownTypeWithOneZeroByteAndGoesOn() throws IOException {
        try (LegacyClient c = new LegacyClient(legacy)) {
            c.send(type(0), type(4), type(-1), type(Integer.MAX_VALUE), data(3, 0.008, 1));

            assertThat(c.readExactly(4)).containsExactly(0, 0, 0, 0);
            assertThat(c.readDouble()).isEqualTo(-0.295);

            c.send(type(99));
            assertThat(c.readByte()).isZero();
        }
    }

    @Test
    void answersWhatIsQueuedWhenTheClientShutsDownItsOutput() throws IOException {
        try (LegacyClient c = new LegacyClient(legacy)) {
            c.send(file(0, 1000, BIG), data(3, 0.008, 1));
            c.shutdownOutput();

            assertThat(c.readExactly(1000)).isEqualTo(Arrays.copyOf(big, 1000));
            assertThat(c.readDouble()).isEqualTo(-0.295);
            c.assertClosedByServer();
        }
    }

    static Stream<Arguments> requestsThatCannotBeAnswered() throws IOException {
        String absolute = filesRoot.resolve("small.txt").toAbsolutePath().toString();
        return Stream.of(
                Arguments.of("a missing file", sizeOf("no-such-file.bin")),
                Arguments.of("a chunk of a missing file", file(0, 10, "no-such-file.bin")),
                Arguments.of("person 0", data(0, 1.0, 1)),
                Arguments.of("person 16", data(16, 1.0, 1)),
                Arguments.of("person -1", data(-1, 1.0, 1)),
                Arguments.of("channel 3", data(3, 1.0, 3)),
                Arguments.of("channel 0", data(3, 1.0, 0)),
                Arguments.of("time -1", data(3, -1.0, 1)),
                Arguments.of("time 60.5", data(3, 60.5, 1)),
                Arguments.of("time NaN", data(3, Double.NaN, 1)),
                Arguments.of("a chunk past the end of the file", file(BIG_FILE_BYTES - 10, 11, BIG)),
                Arguments.of("a chunk starting past the end of the file", file(BIG_FILE_BYTES + 1, 1, BIG)),
                Arguments.of("a chunk over the maximum", file(0, MAX_CHUNK_BYTES + 1, BIG)),
                Arguments.of("a negative offset", file(-1, 10, BIG)),
                Arguments.of("a negative length", file(0, -10, BIG)),
                Arguments.of("a ../ name", file(0, 10, "../" + outside.getFileName() + "/secret.txt")),
                Arguments.of("a ../ inside the name", file(0, 10, "sub/../../x")),
                Arguments.of("an absolute name", file(0, 5, absolute)),
                Arguments.of("a symlink out of the root", file(0, 5, "escape-link")),
                Arguments.of("a name through a symlinked directory out of the root", sizeOf("escape-dir/secret.txt")),
                Arguments.of("a directory", sizeOf("sub")),
                Arguments.of("an empty name", sizeOf("")),
                Arguments.of("a name with no NUL within 4096 bytes",
                        concat(Arrays.copyOf(file(0, 10, "x"), 24), "a".repeat(4097).getBytes())));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requestsThatCannotBeAnswered")
    void closesTheConnectionOnARequestThatCannotBeAnswered(String what, byte[] request) throws IOException {
        try (LegacyClient c = new LegacyClient(legacy)) {
            c.send(data(3, 0.008, 1), request);

            assertThat(c.readDouble()).as("the reply to the request before").isEqualTo(-0.295);
            c.assertClosedByServer();
        }
        assertAnotherClientIsServed();
    }

    /** The same, once the files are open: the small requests among them are then answered on the event loop. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("requestsThatCannotBeAnswered")
    void closesTheConnectionOnARequestThatCannotBeAnsweredFromAFileAlreadyOpen(String what, byte[] request)
            throws IOException {
        try (LegacyClient c = new LegacyClient(legacy)) {
            c.send(file(0, 16, BIG), file(0, 5, "small.txt"), request);

            assertThat(c.readExactly(16)).isEqualTo(Arrays.copyOf(big, 16));
            assertThat(c.readExactly(5)).isEqualTo(Arrays.copyOf(Files.readAllBytes(filesRoot.resolve("small.txt")), 5));
            c.assertClosedByServer();
        }
        assertAnotherClientIsServed();
    }

    @Test
    void aFileCutShortAfterItWasServedClosesOnlyTheConnectionThatAsksPastItsNewEnd() throws Exception {
        Path shrinking = filesRoot.resolve("shrinking.bin");
        byte[] bytes = Arrays.copyOf(big, 64 << 10);
        Files.write(shrinking, bytes);
        try (LegacyClient c = new LegacyClient(legacy)) {
            for (int i = 0; i < 2; i++) {
                c.send(file(60 << 10, 4096, "shrinking.bin"));
                assertThat(c.readExactly(4096)).isEqualTo(Arrays.copyOfRange(bytes, 60 << 10, 64 << 10));
            }
            try (FileChannel f = FileChannel.open(shrinking, StandardOpenOption.WRITE)) {
                f.truncate(32 << 10);
            }
            c.send(file(0, 4096, "shrinking.bin"), file(60 << 10, 4096, "shrinking.bin"));

            assertThat(c.readExactly(4096)).isEqualTo(Arrays.copyOf(bytes, 4096));
            c.assertClosedByServer();
        }
        assertAnotherClientIsServed();
    }

    @Test
    void aClientThatDoesNotReadStallsOnlyItself() throws Exception {
        int chunks = 48;
        try (LegacyClient slow = new LegacyClient(legacy)) {
            byte[][] requests = new byte[chunks][];
            for (int i = 0; i < chunks; i++) {
                requests[i] = file((long) (i % 16) * MAX_CHUNK_BYTES, MAX_CHUNK_BYTES, BIG);
            }
            slow.send(requests);
            // 48 MiB of replies wait for the slow client, far more than socket buffers hold; everyone else goes on.
            for (int i = 0; i < 3; i++) {
                assertAnotherClientIsServed();
                try (LegacyClient other = new LegacyClient(legacy)) {
                    other.send(file(5000, 4096, BIG));
                    assertThat(other.readExactly(4096)).isEqualTo(Arrays.copyOfRange(big, 5000, 9096));
                }
            }
            byte[] chunk = new byte[MAX_CHUNK_BYTES];
            for (int i = 0; i < chunks; i++) {
                slow.readFully(chunk, 0, chunk.length);
                int offset = (i % 16) * MAX_CHUNK_BYTES;
                assertThat(Arrays.mismatch(chunk, 0, chunk.length, big, offset, offset + chunk.length))
                        .as("chunk %d", i).isEqualTo(-1);
            }
        }
    }

    @Test
    void hundredConnectionsAtOnceReassembleARandomFileByteForByte() throws Exception {
        int connections = 100;
        int chunkBytes = 4096;
        List<LegacyClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < connections; i++) {
                clients.add(new LegacyClient(legacy));
            }
            byte[] copy = new byte[BIG_FILE_BYTES];
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Long>> sizes = new ArrayList<>();
            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < connections; i++) {
                    int first = i;
                    LegacyClient c = clients.get(i);
                    sizes.add(threads.submit(() -> {
                        go.await();
                        c.send(sizeOf(BIG));
                        long size = c.readLong();
                        // This connection's share: chunks first, first + connections, ... at offsets k * chunkBytes.
                        for (long offset = (long) first * chunkBytes; offset < size;
                             offset += (long) connections * chunkBytes) {
                            int length = (int) Math.min(chunkBytes, size - offset);
                            c.send(file(offset, length, BIG));
                            c.readFully(copy, (int) offset, length);
                        }
                        c.send(quit());
                        c.assertClosedByServer();
                        return size;
                    }));
                }
                go.countDown();
            }
            for (Future<Long> size : sizes) {
                assertThat(size.get()).isEqualTo(BIG_FILE_BYTES);
            }
            assertThat(sha256(copy)).isEqualTo(sha256(Files.readAllBytes(filesRoot.resolve(BIG))));
            assertThat(Arrays.mismatch(copy, big)).as("first byte that differs").isEqualTo(-1);
        } finally {
            for (LegacyClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    void isOffUnlessConfigured() throws Exception {
        ServerConfig config = ServerConfig.of(new InetSocketAddress("127.0.0.1", 0), dataDir, filesRoot);
        assertThat(config.legacyPort()).isEmpty();
        try (CourierServer plain = CourierServer.start(config)) {
            assertThat(plain.legacyAddress()).isEmpty();
        }
    }

    @Test
    void failsToStartNamingTheLegacyPortWhenItIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ServerConfig config = ServerConfig.of(new InetSocketAddress("127.0.0.1", 0), dataDir, filesRoot)
                    .withLegacy(taken.getLocalPort(), MAX_CHUNK_BYTES);

            assertThatThrownBy(() -> CourierServer.start(config)).isInstanceOf(IOException.class)
                    .hasMessageContaining(":" + taken.getLocalPort() + " for the legacy protocol");
        }
    }

    private static void assertAnotherClientIsServed() throws IOException {
        try (LegacyClient c = new LegacyClient(legacy)) {
            c.send(hex("01000000 03000000 fca9f1d24d62803f 01000000 00000000"), sizeOf("small.txt"));

            assertThat(c.readDouble()).isEqualTo(-0.295);
            assertThat(c.readLong()).isEqualTo(Files.size(filesRoot.resolve("small.txt")));
        }
    }

    /** Rows of {@code <person>.csv}: time, first channel, second channel. */
    private static double[][] csv(int person) throws IOException {
        return Files.readAllLines(dataDir.resolve(person + ".csv")).stream()
                .filter(line -> !line.isBlank() && Character.isDigit(line.charAt(0)))
                .map(line -> Arrays.stream(line.split(",")).mapToDouble(Double::parseDouble).toArray())
                .toArray(double[][]::new);
    }

    private static byte[] sha256(byte[] bytes) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(bytes);
    }
}
