package dev.courier.server.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.protocol.PointBatchRequest;
import dev.courier.protocol.PointRequest;
import dev.courier.protocol.ReadRequest;
import dev.courier.protocol.WindowUpdate;
import dev.courier.protocol.Ping;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** The token bucket's arithmetic, the bounded tables, and what requests cost. */
class LimitsUnitTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aBucketGivesItsBurstThenOneTokenPerIntervalAndSaysHowLongToWait() {
        TokenBucket b = new TokenBucket(10, 3, 0);
        assertThat(b.take(1, 0)).isZero();
        assertThat(b.take(1, 0)).isZero();
        assertThat(b.take(1, 0)).isZero();
        assertThat(b.take(1, 0)).isEqualTo(SECOND / 10);
        // Refused requests take nothing: halfway there, the wait is half.
        assertThat(b.take(1, SECOND / 20)).isEqualTo(SECOND / 20);
        assertThat(b.take(1, SECOND / 10)).isZero();
        // Never more than the burst, however long the quiet.
        long later = 100 * SECOND;
        for (int i = 0; i < 3; i++) {
            assertThat(b.take(1, later)).isZero();
        }
        assertThat(b.take(1, later)).isPositive();
        assertThat(TokenBucket.toRetryMillis(1)).isEqualTo(1);
        assertThat(TokenBucket.toRetryMillis(SECOND / 10)).isEqualTo(100);
    }

    @Test
    void aRequestCostingMoreThanTheBurstPassesOnAFullBucket() {
        TokenBucket b = new TokenBucket(1, 2, 0);
        assertThat(b.take(1000, 0)).isZero();
        assertThat(b.take(1, 0)).isPositive();
    }

    @Test
    void unusedFullBucketsAreForgottenAndUsedOnesKept() {
        RateLimiter r = new RateLimiter(1000, 1);
        TokenBucket held = r.acquire("address:kept", 0);
        for (int i = 0; i < RateLimiter.SWEEP_ABOVE - 1; i++) {
            r.release(r.acquire("address:" + i, 0));
        }
        held.take(1, 0); // not full: kept while in use and after
        r.acquire("address:trigger", SECOND);
        assertThat(r.size()).isEqualTo(2);
        assertThat(r.acquire("address:kept", SECOND)).isSameAs(held);
    }

    @Test
    void anAddressLeavesTheTableWithItsLastConnection() throws Exception {
        AddressConnections c = new AddressConnections(2);
        InetAddress a = InetAddress.getByName("192.0.2.7");
        assertThat(c.tryOpen(a)).isTrue();
        assertThat(c.tryOpen(a)).isTrue();
        assertThat(c.tryOpen(a)).isFalse();
        assertThat(c.tryOpen(InetAddress.getByName("192.0.2.8"))).isTrue();
        c.closed(a);
        assertThat(c.tryOpen(a)).isTrue();
        c.closed(a);
        c.closed(a);
        assertThat(c.addresses()).isEqualTo(1);
    }

    @Test
    void batchesCostByTheirPointsBytesAreNotCountedAndSteeringFramesCostNothing() {
        assertThat(RequestCost.of(new PointRequest(1, "r", 0, 1))).isEqualTo(1);
        assertThat(RequestCost.of(new PointBatchRequest(1, "r", 1, new double[0]))).isEqualTo(1);
        assertThat(RequestCost.of(new PointBatchRequest(1, "r", 1, new double[64]))).isEqualTo(1);
        assertThat(RequestCost.of(new PointBatchRequest(1, "r", 1, new double[65]))).isEqualTo(2);
        assertThat(RequestCost.of(new ReadRequest(1, "f", 0, 1 << 20))).isEqualTo(1);
        assertThat(RequestCost.of(new WindowUpdate(1, 5))).isZero();
        assertThat(RequestCost.of(new Ping(1, 5))).isZero();
    }

    @Test
    void limitsAreValidated() {
        assertThatThrownBy(() -> new ClientLimits(0, 10, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ClientLimits(0, 0, 5, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ClientLimits(-1, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(ClientLimits.OFF.rateLimited()).isFalse();
    }
}
