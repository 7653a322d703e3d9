package dev.courier.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Hello;
import dev.courier.protocol.Message;
import dev.courier.protocol.MessageWriter;
import dev.courier.protocol.ReadRequest;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.TestFiles;
import dev.courier.server.testing.WellBehavedClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 4 of issue 10 (the open files): clients that pipeline READs and never read the replies pinned one open
 * file per READ decoded, about 56 per connection with 64 READs in flight and a 4 KiB receive buffer, so about 350
 * such connections took the server process to its 20,000-file limit, after which new clients hung. Now a connection
 * starts at most {@code maxFileOpsInFlight} (32) file requests and every request for one file version shares one
 * descriptor. The server runs in a process of its own, whose descriptors are counted in {@code /proc/PID/fd}. (The
 * write timeout that finally closes such connections is another part of the issue.)
 */
class StalledReadersTest {
    /** What a well-behaved client reads of ok.txt while the test goes on. */
    private static final byte[] OK_BYTES = "still here".getBytes(StandardCharsets.US_ASCII);

    private static final int CONNECTIONS = 350;
    private static final int READS_PER_CONNECTION = 64;
    private static final int CHUNK_BYTES = 1 << 20;
    private static final int LARGE_CHUNK_BYTES = 8 << 20;
    private static final int RECEIVE_BUFFER_BYTES = 4096;
    private static final int MAX_FILE_OPS_IN_FLIGHT = 32;
    private static final long SERVED_WITHIN_MILLIS = 1_000;
    /** How long the descriptor count is watched once every connection is being answered. */
    private static final long WATCH_MILLIS = 1_500;
    /** Between two looks at the kernel's tables while waiting for them to change. */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    @Test
    void connectionsThatNeverReadShareOneDescriptorOfTheFileTheyRead(@TempDir Path root) throws Exception {
        TestFiles.random(root.resolve("big.bin"), 16L * CHUNK_BYTES, 4);
        Files.write(root.resolve("ok.txt"), OK_BYTES);
        try (CourierProcess server = server(root)) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", ProcessFaultsTest.portOf(server));
            long before = openFiles(server.pid());
            List<Socket> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < CONNECTIONS; i++) {
                    try {
                        stalled.add(stalledReader(address, r -> new ReadRequest(r + 1, "big.bin",
                                (long) (r % 16) * CHUNK_BYTES, CHUNK_BYTES)));
                    } catch (SocketTimeoutException e) {
                        throw new AssertionError("connection " + (i + 1) + " got no HELLO within 10 s; the server "
                                + "holds " + openFiles(server.pid()) + " descriptors (" + before + " before)", e);
                    }
                }
                awaitAllAnswered(stalled, address.getPort());
                long most = mostOpenFilesWhileWatching(server.pid());
                assertThat(most - before).as("descriptors the server opened for %d stalled connections, %d READs "
                        + "each (%d before them)", CONNECTIONS, READS_PER_CONNECTION, before)
                        .isLessThanOrEqualTo(CONNECTIONS + 32);
                WellBehavedClient.assertReadServed(address, "ok.txt", OK_BYTES);
            } finally {
                abortAll(stalled);
            }
            awaitOpenFilesAtMost(server.pid(), before + 8);
            WellBehavedClient.assertReadServed(address, "ok.txt", OK_BYTES);
        }
    }

    @Test
    void aConnectionThatNeverReadsHoldsNoMoreFilesThanItsCapOfRequestsStarted(@TempDir Path root)
            throws Exception {
        // Chunks of 8 MiB, more than the kernel's socket buffers take, so no READ completes and frees its slot;
        // sparse files, so they cost no disk.
        for (int f = 0; f < READS_PER_CONNECTION; f++) {
            try (RandomAccessFile file = new RandomAccessFile(root.resolve("f" + f + ".bin").toFile(), "rw")) {
                file.setLength(LARGE_CHUNK_BYTES);
            }
        }
        Files.write(root.resolve("ok.txt"), OK_BYTES);
        try (CourierProcess server = server(root)) {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", ProcessFaultsTest.portOf(server));
            long before = openFiles(server.pid());
            List<Socket> stalled = new ArrayList<>();
            try {
                stalled.add(stalledReader(address, r -> new ReadRequest(r + 1, "f" + r + ".bin", 0, LARGE_CHUNK_BYTES)));
                awaitAllAnswered(stalled, address.getPort());
                long most = mostOpenFilesWhileWatching(server.pid());
                assertThat(most - before).as("descriptors for one connection with %d READs of as many files in "
                        + "flight: its socket and at most %d files", READS_PER_CONNECTION, MAX_FILE_OPS_IN_FLIGHT)
                        .isLessThanOrEqualTo(1 + MAX_FILE_OPS_IN_FLIGHT + 4);
                WellBehavedClient.assertReadServed(address, "ok.txt", OK_BYTES);
            } finally {
                abortAll(stalled);
            }
            WellBehavedClient.assertReadServed(address, "ok.txt", OK_BYTES);
        }
    }

    private static CourierProcess server(Path root) throws Exception {
        return CourierProcess.server("--port", "0", "--data", CsvTruth.dataDir().toString(), "--files",
                root.toString());
    }

    /**
     * A connection with a small receive buffer that completes the handshake, sends {@link #READS_PER_CONNECTION}
     * READs in one write and never reads again.
     */
    private static Socket stalledReader(InetSocketAddress address, IntFunction<ReadRequest> read)
            throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(RECEIVE_BUFFER_BYTES);
        s.connect(address, 5_000);
        s.setSoTimeout(10_000);
        s.getOutputStream().write(encode(List.of(new Hello(0, FrameDescriptor.VERSION, 16 << 20, 8 << 20))));
        DataInputStream in = new DataInputStream(s.getInputStream());
        in.readFully(new byte[in.readInt()]); // the server's HELLO
        List<Message> reads = new ArrayList<>();
        for (int r = 0; r < READS_PER_CONNECTION; r++) {
            reads.add(read.apply(r));
        }
        s.getOutputStream().write(encode(reads));
        return s;
    }

    private static byte[] encode(List<Message> messages) {
        ByteBuf buf = Unpooled.buffer();
        messages.forEach(m -> MessageWriter.write(m, buf));
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        return bytes;
    }

    /**
     * Waits until the server is sending chunk data on every connection: the kernel shows bytes waiting in each
     * client socket's receive queue ({@code /proc/net/tcp}), so each connection's READs have been decoded and
     * started.
     */
    private static void awaitAllAnswered(List<Socket> sockets, int serverPort) throws Exception {
        Set<Integer> waiting = new HashSet<>();
        sockets.forEach(s -> waiting.add(s.getLocalPort()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!waiting.isEmpty()) {
            waiting.removeAll(portsWithBytesToRead(serverPort));
            if (System.nanoTime() > deadline) {
                throw new AssertionError(waiting.size() + " connections got no chunk data within 60 s");
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    /** Local ports of loopback sockets connected to {@code serverPort} that have received bytes not yet read. */
    private static Set<Integer> portsWithBytesToRead(int serverPort) throws IOException {
        Set<Integer> ports = new HashSet<>();
        String remote = String.format(Locale.ROOT, ":%04X", serverPort);
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] f = line.trim().split("\\s+");
                // sl local_address rem_address st tx_queue:rx_queue ...
                if (f.length > 4 && f[2].endsWith(remote) && !f[4].endsWith(":00000000")) {
                    ports.add(Integer.parseInt(f[1].substring(f[1].lastIndexOf(':') + 1), 16));
                }
            }
        }
        return ports;
    }

    /** The most descriptors the server holds over {@link #WATCH_MILLIS}, sampled as fast as they can be counted. */
    private static long mostOpenFilesWhileWatching(long pid) throws IOException {
        long most = 0;
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WATCH_MILLIS);
        while (System.nanoTime() < end) {
            most = Math.max(most, openFiles(pid));
        }
        return most;
    }

    private static void awaitOpenFilesAtMost(long pid, long limit) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long n;
        while ((n = openFiles(pid)) > limit) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the server still holds " + n + " descriptors, more than " + limit);
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    private static long openFiles(long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            return fds.count();
        }
    }

    private static void abortAll(List<Socket> sockets) throws IOException {
        for (Socket s : sockets) {
            s.setSoLinger(true, 0);
            s.close();
        }
    }

}
