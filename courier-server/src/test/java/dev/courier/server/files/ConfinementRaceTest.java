package dev.courier.server.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.DigestReply;
import dev.courier.protocol.DigestRequest;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.FileEntry;
import dev.courier.protocol.ListReply;
import dev.courier.protocol.ListRequest;
import dev.courier.protocol.Message;
import dev.courier.protocol.ReadRequest;
import dev.courier.protocol.Sha256;
import dev.courier.protocol.StatReply;
import dev.courier.protocol.StatRequest;
import dev.courier.server.CourierServer;
import dev.courier.server.testing.NameSwapper;
import dev.courier.server.testing.NativeFs;
import dev.courier.server.testing.RawConnection;
import dev.courier.server.testing.TestFiles;
import dev.courier.server.testing.TestServers;
import dev.courier.server.testing.WellBehavedClient;
import io.netty.buffer.ByteBufUtil;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 2 of issue 10: a name checked to lie inside the root and then opened again by name can be redirected in
 * between. Here a thread swaps, in a tight loop and atomically ({@code renameat2(RENAME_EXCHANGE)}), a directory
 * of the root with something else while a client asks for a file through that directory thousands of times, with
 * READ, STAT, DIGEST and LIST. Before the confined open, about 7.6% of reads returned the file outside the root,
 * and a FIFO swapped in hung the request for ever.
 */
class ConfinementRaceTest {
    private static final int REQUESTS = 2400;
    private static final int PIPELINE = 16;
    private static final long REPLY_WITHIN_MILLIS = 1000;

    @Test
    void aLinkOutOfTheRootSwappedInNeverLetsAnOutsideByteOut(@TempDir Path root, @TempDir Path outside)
            throws Exception {
        byte[] inside = filled(4096, 'I');
        byte[] secret = filled(5000, 'O');
        Files.createDirectory(root.resolve("d"));
        Files.write(root.resolve("d/f.txt"), inside);
        Files.write(root.resolve("ok.txt"), inside);
        Files.write(outside.resolve("f.txt"), secret);
        Files.write(outside.resolve("secret.txt"), secret);
        Files.createSymbolicLink(root.resolve("swap"), outside);

        Tally t;
        try (CourierServer server = TestServers.start(root);
             NameSwapper swapper = new NameSwapper(root.resolve("d"), root.resolve("swap"))) {
            // FILE_CHANGED too: a DIGEST whose name kept naming other files while it was hashed is refused, which
            // is right (the name has no one version to digest), and no leak.
            t = hammer(server.localAddress(), inside,
                    EnumSet.of(ErrorCode.OUTSIDE_ROOT, ErrorCode.NOT_FOUND, ErrorCode.FILE_CHANGED));
            WellBehavedClient.assertReadServed(server.localAddress(), "ok.txt", inside);
            assertThat(swapper.swaps()).as("swaps while the requests ran").isGreaterThan(REQUESTS);
        }
        assertThat(t.leaks).as("replies that carried the outside file, its size, digest or directory: %s", t)
                .isZero();
        assertThat(t.unexpected).as("errors other than those expected: %s", t).isZero();
        assertThat(t.served).as("requests served from the inside file: %s", t).isPositive();
        assertThat(t.refused).as("requests that met the link: %s", t).isPositive();
        assertThat(t.slowestMillis).as("slowest batch of %d replies", PIPELINE).isLessThan(REPLY_WITHIN_MILLIS);
    }

    @Test
    void aFifoSwappedInIsRefusedAtOnceInsteadOfHanging(@TempDir Path root) throws Exception {
        byte[] inside = filled(4096, 'I');
        Files.createDirectory(root.resolve("d"));
        Files.createDirectory(root.resolve("e"));
        Files.write(root.resolve("d/f.txt"), inside);
        Files.write(root.resolve("ok.txt"), inside);
        NativeFs.mkfifo(root.resolve("e/f.txt"));

        Tally t;
        try (CourierServer server = TestServers.start(root);
             NameSwapper swapper = new NameSwapper(root.resolve("d"), root.resolve("e"))) {
            t = hammer(server.localAddress(), inside,
                    EnumSet.of(ErrorCode.NOT_A_FILE, ErrorCode.NOT_FOUND, ErrorCode.FILE_CHANGED));
            WellBehavedClient.assertReadServed(server.localAddress(), "ok.txt", inside);
        }
        assertThat(t.unexpected).as("errors other than those expected: %s", t).isZero();
        assertThat(t.served).as("requests served from the regular file: %s", t).isPositive();
        assertThat(t.refused).as("requests that met the FIFO: %s", t).isPositive();
        assertThat(t.slowestMillis).as("slowest batch of %d replies", PIPELINE).isLessThan(REPLY_WITHIN_MILLIS);
    }

    /**
     * Sends READ, STAT, DIGEST and LIST of {@code d/f.txt} (and {@code d}) in pipelined batches and sorts every
     * reply: the inside file's bytes, size, digest or listing; anything else (a leak); or one of {@code refusals}. A
     * well-behaved client on another connection is checked every few batches.
     */
    private static Tally hammer(InetSocketAddress server, byte[] inside, Set<ErrorCode> refusals)
            throws Exception {
        Sha256 insideSha = TestFiles.sha256(inside);
        Tally t = new Tally();
        int id = 0;
        try (RawConnection c = RawConnection.handshaken(server)) {
            for (int batch = 0; batch < REQUESTS / PIPELINE; batch++) {
                long start = System.nanoTime();
                for (int i = 0; i < PIPELINE; i++) {
                    id++;
                    c.send(switch (id % 4) {
                        case 0 -> new ReadRequest(id, "d/f.txt", 0, 8192);
                        case 1 -> new StatRequest(id, "d/f.txt");
                        case 2 -> new DigestRequest(id, "d/f.txt");
                        default -> new ListRequest(id, "d");
                    });
                }
                for (int i = 0; i < PIPELINE; i++) {
                    sort(c.receive(), t, inside, insideSha, refusals);
                }
                t.slowestMillis = Math.max(t.slowestMillis, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                if (batch % 30 == 0) {
                    WellBehavedClient.assertReadServed(server, "ok.txt", inside);
                }
            }
        }
        return t;
    }

    private static void sort(Message m, Tally t, byte[] inside, Sha256 insideSha, Set<ErrorCode> refusals) {
        switch (m) {
            case ChunkReply chunk -> {
                byte[] data = ByteBufUtil.getBytes(chunk.data());
                chunk.release();
                count(t, Arrays.equals(data, inside), "chunk of " + data.length + " bytes");
            }
            case StatReply stat -> count(t, stat.sizeBytes() == inside.length, "size " + stat.sizeBytes());
            // Any other digest was taken over bytes from outside (all of the outside file, or its first bytes).
            case DigestReply digest -> count(t, digest.sha256().equals(insideSha)
                    && digest.sizeBytes() == inside.length, "digest " + digest.sha256() + " of "
                    + digest.sizeBytes() + " bytes");
            case ListReply list -> {
                boolean outsideNames = list.entries().stream().map(FileEntry::name).anyMatch("secret.txt"::equals);
                count(t, !outsideNames, "listing " + list.entries());
            }
            case ErrorReply e -> {
                if (refusals.contains(e.code())) {
                    t.refused++;
                } else {
                    t.unexpected++;
                    if (t.firstUnexpected == null) {
                        t.firstUnexpected = e.code() + " " + e.message();
                    }
                }
            }
            default -> fail("unexpected reply " + m);
        }
    }

    private static void count(Tally t, boolean insideOnly, String what) {
        if (insideOnly) {
            t.served++;
        } else {
            t.leaks++;
            if (t.firstLeak == null) {
                t.firstLeak = what;
            }
        }
    }


    private static byte[] filled(int size, char c) {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) c);
        return b;
    }

    private static final class Tally {
        int served;
        int refused;
        int leaks;
        String firstLeak;
        int unexpected;
        String firstUnexpected;
        long slowestMillis;

        @Override
        public String toString() {
            return served + " served, " + refused + " refused, " + leaks + " leaked"
                    + (firstLeak == null ? "" : " (first: " + firstLeak + ")") + ", " + unexpected
                    + " unexpected errors" + (firstUnexpected == null ? "" : " (first: " + firstUnexpected + ")")
                    + ", slowest batch " + slowestMillis + " ms";
        }
    }
}
