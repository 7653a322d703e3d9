package dev.courier.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.StreamRequest;
import dev.courier.server.testing.OpenFiles;
import dev.courier.server.testing.RawConnection;
import dev.courier.server.testing.TestServers;
import dev.courier.server.testing.WellBehavedClient;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that opens a stream with a large window and never reads: the server stops pushing when the connection is
 * not writable, the write timeout cuts the client off, and its stream's file descriptor comes back. Counted in
 * {@code /proc/self/fd}: the server runs in this process, with no idle descriptors kept.
 */
class StalledStreamTest {
    private static final long WRITE_TIMEOUT_MILLIS = 500;

    @Test
    void aStreamWhoseClientNeverReadsIsCutOffByTheWriteTimeoutAndItsFileClosed(@TempDir Path root) throws Exception {
        Path huge = root.resolve("huge.bin");
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(1L << 30);
        }
        long pid = ProcessHandle.current().pid();
        ServerConfig config = TestServers.config(root).toBuilder().writeTimeoutMillis(WRITE_TIMEOUT_MILLIS)
                .maxOpenFiles(0).build();
        try (CourierServer server = CourierServer.start(config);
             RawConnection c = RawConnection.handshaken(server.localAddress(), 4096)) {
            // The root's own descriptor, which every confined open starts from.
            int before = OpenFiles.under(pid, root);
            c.send(new StreamRequest(1, "huge.bin", 0, 1L << 30, Integer.MAX_VALUE, 1 << 20, 1L << 30,
                    Files.getLastModifiedTime(huge).toMillis()));

            assertThat(OpenFiles.awaitUnder(pid, root, n -> n == before + 1, 5_000)).as("with the stream's file open")
                    .isEqualTo(before + 1);
            WellBehavedClient.assertServedWithinASecond(server.localAddress());
            assertThat(OpenFiles.awaitUnder(pid, root, n -> n == before, WRITE_TIMEOUT_MILLIS + 10_000))
                    .as("descriptors under the root once the write timeout cut the client off").isEqualTo(before);
            awaitClosedByServer(c);
            WellBehavedClient.assertServedWithinASecond(server.localAddress());
        }
    }

    /**
     * Reads what the kernel still holds for the client, a byte at a time, until the server's close shows: end of
     * stream or a reset. A read that times out (10 s) fails the test.
     */
    private static void awaitClosedByServer(RawConnection c) throws IOException {
        boolean closed = c.closedByServer();
        while (!closed) {
            closed = c.closedByServer();
        }
    }
}
