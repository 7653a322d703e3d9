package dev.courier.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Hello;
import dev.courier.protocol.Message;
import dev.courier.protocol.PointReply;
import dev.courier.protocol.PointRequest;
import dev.courier.protocol.ReadRequest;
import dev.courier.protocol.Secret;
import dev.courier.protocol.Sha256;
import dev.courier.protocol.UploadAck;
import dev.courier.protocol.UploadBegin;
import dev.courier.protocol.UploadCommit;
import dev.courier.protocol.UploadDone;
import dev.courier.protocol.UploadReady;
import dev.courier.protocol.UploadWrite;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;
import javax.net.ssl.SSLSocketFactory;

/**
 * What every bad-input test checks besides the bad input: a client that follows the protocol is served, correctly
 * and within a second, during and after it: a point, a read of a file, or (where the server takes uploads) the
 * BEGIN, WRITE and COMMIT of a small file, each on a fresh connection unless one is given.
 */
public final class WellBehavedClient {
    /** A round trip slower than this fails the test. */
    public static final long WITHIN_MILLIS = 1_000;
    /** Names of the files it uploads start with this. */
    public static final String NAME_PREFIX = "good-client-";
    private static final AtomicInteger SERIAL = new AtomicInteger();
    private static CsvTruth truth;

    private WellBehavedClient() {
    }

    private static synchronized CsvTruth truth() {
        if (truth == null) {
            truth = CsvTruth.load();
        }
        return truth;
    }

    /** One point asked on {@code c} with id {@code id}, answered with the CSV's value within a second. */
    public static void assertServed(RawConnection c, int id) throws IOException {
        double expected = truth().value("3", 2, 1); // before the clock starts: the first call reads the CSV files
        PointReply r = roundTrip(c, new PointRequest(id, "3", 0.008, 1), PointReply.class, "POINT");
        assertThat(r.requestId()).isEqualTo(id);
        assertThat(r.sampleIndex()).isEqualTo(2);
        assertThat(r.value()).isEqualTo(expected);
    }

    /** A new connection to {@code server}: it connects, shakes hands and gets a correct point, all within a second. */
    public static void assertServedWithinASecond(InetSocketAddress server) throws IOException {
        truth();
        long start = System.nanoTime();
        try (RawConnection c = RawConnection.handshaken(server)) {
            assertServed(c, 7);
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(WITHIN_MILLIS);
    }

    /** As {@link #assertServedWithinASecond(InetSocketAddress)}, for a server with --auth: with {@code token}. */
    public static void assertServedWithinASecond(InetSocketAddress server, Secret token) throws IOException {
        truth();
        long start = System.nanoTime();
        try (RawConnection c = RawConnection.handshaken(server, token)) {
            assertServed(c, 7);
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(WITHIN_MILLIS);
    }

    /**
     * {@link #assertServedWithinASecond(InetSocketAddress)} over TLS, from a client made by {@link TestTls}: the TLS
     * handshake (bounded by the connection's 10 s read timeout; the JDK's first one in a JVM takes a while on the
     * client's side), then HELLO and a correct point within a second.
     */
    public static void assertServedWithinASecond(InetSocketAddress server, SSLSocketFactory tls) throws IOException {
        truth();
        try (RawConnection c = RawConnection.tls(server, tls)) {
            long start = System.nanoTime();
            c.send(new Hello(0, FrameDescriptor.VERSION, 16 << 20, 8 << 20));
            assertThat(c.receive()).isInstanceOf(Hello.class);
            assertServed(c, 7);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(WITHIN_MILLIS);
        }
    }

    /** A new connection reads the first bytes of {@code name}, which must be {@code expected}, within a second. */
    public static void assertReadServed(InetSocketAddress server, String name, byte[] expected) throws IOException {
        assertReadServed(RawConnection.handshaken(server), name, expected, System.nanoTime());
    }

    /** {@link #assertReadServed(InetSocketAddress, String, byte[])} over TLS, from a client made by {@link TestTls}. */
    public static void assertReadServed(InetSocketAddress server, SSLSocketFactory tls, String name, byte[] expected)
            throws IOException {
        assertReadServed(RawConnection.tlsHandshaken(server, tls), name, expected, System.nanoTime());
    }

    private static void assertReadServed(RawConnection connection, String name, byte[] expected, long start)
            throws IOException {
        try (RawConnection c = connection) {
            ChunkReply chunk = roundTrip(c, new ReadRequest(1, name, 0, expected.length), ChunkReply.class, "READ");
            try {
                assertThat(ByteBufUtil.getBytes(chunk.data())).isEqualTo(expected);
            } finally {
                chunk.release();
            }
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("a well-behaved client's read")
                .isLessThan(WITHIN_MILLIS);
    }

    /** A point, then a small upload's BEGIN, WRITE and COMMIT, each answered correctly within a second. */
    public static void assertUploadServed(InetSocketAddress server) throws IOException {
        assertServedWithinASecond(server);
        int serial = SERIAL.incrementAndGet();
        byte[] data = new byte[1000];
        new Random(serial).nextBytes(data);
        Sha256 sha = new Sha256(sha256(data));
        try (RawConnection c = RawConnection.handshaken(server)) {
            UploadReady ready = roundTrip(c, new UploadBegin(2, NAME_PREFIX + serial + ".bin", data.length, sha),
                    UploadReady.class, "UPLOAD_BEGIN");
            CRC32C crc = new CRC32C();
            crc.update(data);
            UploadAck ack = roundTrip(c, new UploadWrite(3, ready.uploadId(), 0, (int) crc.getValue(),
                    Unpooled.wrappedBuffer(data)), UploadAck.class, "UPLOAD_WRITE");
            assertThat(ack.lengthBytes()).isEqualTo(data.length);
            UploadDone done = roundTrip(c, new UploadCommit(4, ready.uploadId()), UploadDone.class, "UPLOAD_COMMIT");
            assertThat(done.sha256()).isEqualTo(sha);
        }
    }

    private static <T extends Message> T roundTrip(RawConnection c, Message request, Class<T> expected, String what)
            throws IOException {
        long start = System.nanoTime();
        c.send(request);
        Message reply = c.receive();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(reply).as("the reply to a well-behaved client's %s", what).isInstanceOf(expected);
        assertThat(millis).as("milliseconds for a well-behaved client's %s", what).isLessThan(WITHIN_MILLIS);
        return expected.cast(reply);
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
