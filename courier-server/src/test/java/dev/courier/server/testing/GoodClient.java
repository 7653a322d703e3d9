package dev.courier.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.Message;
import dev.courier.protocol.PointReply;
import dev.courier.protocol.PointRequest;
import dev.courier.protocol.Sha256;
import dev.courier.protocol.UploadAck;
import dev.courier.protocol.UploadBegin;
import dev.courier.protocol.UploadCommit;
import dev.courier.protocol.UploadDone;
import dev.courier.protocol.UploadReady;
import dev.courier.protocol.UploadWrite;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;

/**
 * A well-behaved client, for tests that abuse a server: on a fresh connection, a POINT and (when the server takes
 * uploads) the BEGIN, WRITE and COMMIT of a small file, each of which must be answered correctly within a second.
 * It proves the server still serves others during and after whatever the test did.
 */
public final class GoodClient {
    /** How long each round trip may take. */
    public static final long DEADLINE_MILLIS = 1_000;
    /** Names of the files it uploads start with this. */
    public static final String NAME_PREFIX = "good-client-";
    private static final AtomicInteger SERIAL = new AtomicInteger();

    private GoodClient() {
    }

    /** A POINT answered correctly within the deadline. */
    public static void assertPointServed(InetSocketAddress server) throws IOException {
        try (RawConnection c = RawConnection.handshaken(server)) {
            PointReply p = roundTrip(c, new PointRequest(1, "3", 0.008, 1), PointReply.class, "POINT");
            assertThat(p.sampleIndex()).isEqualTo(2);
            assertThat(p.value()).isEqualTo(-0.295); // data/bimdc/3.csv, the row for 0.008 s
        }
    }

    /** A POINT, then a small upload's BEGIN, WRITE and COMMIT, each answered correctly within the deadline. */
    public static void assertServed(InetSocketAddress server) throws IOException {
        assertPointServed(server);
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
        assertThat(millis).as("milliseconds for a well-behaved client's %s", what).isLessThan(DEADLINE_MILLIS);
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
