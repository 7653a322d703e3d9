package dev.courier.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link RedisTarget} driven by the {@link LoadEngine} against a scripted Redis ({@link FakeRedis}). */
class RedisTargetTest {
    private static LoadEngine.Spec closedLoop(int connections, int pipeline, long durationMillis,
                                              long warmupMillis) {
        return new LoadEngine.Spec(connections, pipeline, TimeUnit.MILLISECONDS.toNanos(durationMillis),
                TimeUnit.MILLISECONDS.toNanos(warmupMillis), 0, 11_000);
    }

    @Test
    void theEngineGetsTheValueItSet() throws Exception {
        try (FakeRedis redis = new FakeRedis(false);
             RedisTarget target = RedisTarget.parse("127.0.0.1:" + redis.port(), 0, 5_000)) {
            target.prepare(10_000);
            LoadEngine.Result r = LoadEngine.run(target, closedLoop(3, 4, 500, 100));
            assertThat(r.requests()).isPositive();
            assertThat(r.errors()).as(r.firstProblem()).isZero();
            assertThat(r.latencyNanos().getTotalCount()).isEqualTo(r.requests());
            assertThat(r.percentileMicros(50)).isPositive().isLessThanOrEqualTo(r.percentileMicros(99.9));
            assertThat(target.kind()).isEqualTo("redis");
            assertThat(redis.store).containsKey(RedisTarget.KEY);
            assertThat(redis.store.get(RedisTarget.KEY)).isEqualTo(RedisTarget.VALUE);
            assertThat(redis.gets.get()).isGreaterThanOrEqualTo(r.requests());
        }
    }

    @Test
    void aWrongValueIsCountedAsAWrongAnswer() throws Exception {
        try (FakeRedis redis = new FakeRedis(true);
             RedisTarget target = RedisTarget.parse("127.0.0.1:" + redis.port(), 0, 5_000)) {
            target.prepare(10_000);
            LoadEngine.Result r = LoadEngine.run(target, closedLoop(2, 2, 300, 0));
            assertThat(r.wrong()).isEqualTo(r.requests()).isPositive();
            assertThat(r.errors()).isEqualTo(r.wrong());
            assertThat(r.firstProblem()).startsWith("GET " + RedisTarget.KEY + " returned 8 bytes that are not");
        }
    }

    @Test
    void anUnreachableServerFailsThePreparationWithItsAddress() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (RedisTarget target = RedisTarget.parse("127.0.0.1:" + port, 1, 5_000)) {
            assertThatThrownBy(() -> target.prepare(10_000)).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("cannot connect to redis at 127.0.0.1:" + port);
        }
    }

    @Test
    void hostAndPortDefaultToLoopbackAnd6379() {
        try (RedisTarget target = RedisTarget.parse(":6380", 1, 5_000)) {
            assertThat(target.describe()).startsWith("redis 127.0.0.1:6380:");
        }
        try (RedisTarget target = RedisTarget.parse("localhost", 1, 5_000)) {
            assertThat(target.describe()).startsWith("redis localhost:6379:");
        }
        assertThatThrownBy(() -> RedisTarget.parse("localhost:http", 1, 5_000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad port");
    }
}
