package dev.courier.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.Message;
import dev.courier.protocol.PointReply;
import dev.courier.protocol.PointRequest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * What every bad-input test checks besides the bad input: a client that follows the protocol is served, correctly
 * and within a second, during and after it.
 */
public final class WellBehavedClient {
    /** A reply slower than this fails the test. */
    public static final long WITHIN_MILLIS = 1_000;
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
        long start = System.nanoTime();
        c.send(new PointRequest(id, "3", 0.008, 1));
        Message m = c.receive();
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(m).isInstanceOfSatisfying(PointReply.class, r -> {
            assertThat(r.requestId()).isEqualTo(id);
            assertThat(r.value()).isEqualTo(expected);
        });
        assertThat(tookMillis).isLessThan(WITHIN_MILLIS);
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
}
