package dev.courier.load;

import dev.courier.client.ClientConfig;
import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.client.SampleBlock;
import java.util.concurrent.CompletableFuture;

/**
 * Range reads (RANGE_STREAM) of a Courier server through the client library, as an application makes them: each
 * request streams {@link RangeSpans}'s range of one channel and checks every value. The blocks are pushed
 * ({@link Connection#range(String, long, long, int, int[], java.util.function.Consumer)}) and checked as they
 * arrive: a service answering many short ranges would not park a thread per range in {@code SampleStream.next()},
 * and the two hand-offs that costs per range (measured in docs/benchmarks.md) are not the server's.
 *
 * <p>Threading: as {@link Target}; blocks are checked and outcomes reported on the client's event loops.
 */
public final class CourierRangeTarget implements Target {
    private final CourierClient client;
    private final RangeSpans spans;

    /**
     * @param spanSeconds length of each range, seconds
     * @param channel     numbered from 1
     */
    public CourierRangeTarget(ClientConfig config, PointData data, int channel, double spanSeconds) {
        this.spans = new RangeSpans(data, channel, spanSeconds);
        this.client = new CourierClient(config);
    }

    /** Samples in each range. */
    public int spanSamples() {
        return spans.spanSamples();
    }

    @Override
    public String describe() {
        return "courier " + client.config().address() + ": RANGE_STREAM of " + spans.spanSamples()
                + " samples of channel " + spans.channel() + ", " + spans.data().recordCount() + " records";
    }

    @Override
    public String kind() {
        return "courier";
    }

    @Override
    public CompletableFuture<Session> open() {
        return client.connect().thenApply(RangeSession::new);
    }

    @Override
    public void close() {
        client.close();
    }

    /** One range's answer, checked value by value as its blocks arrive (on the connection's event loop). */
    private final class RangeCheck {
        private final long key;
        private int seen;
        private String problem;

        RangeCheck(long key) {
            this.key = key;
        }

        void block(SampleBlock b) {
            for (int i = 0; i < b.rows(); i++, seen++) {
                if (problem == null) {
                    problem = spans.check(key, seen, b.value(i, 0));
                }
            }
        }

        String problem() {
            if (problem == null && seen != spans.spanSamples()) {
                return "record " + spans.record(key) + ": " + seen + " samples, not " + spans.spanSamples();
            }
            return problem;
        }
    }

    private final class RangeSession implements Session {
        private final Connection connection;

        RangeSession(Connection connection) {
            this.connection = connection;
        }

        @Override
        public void send(long key, long token, Callback callback) {
            int from = spans.fromSample(key);
            RangeCheck check = new RangeCheck(key);
            connection.range(spans.record(key), from, from + spans.spanSamples(), 1, new int[] {spans.channel()},
                    check::block).whenComplete((rows, err) -> {
                        if (err != null) {
                            RuntimeException e = CourierException.unwrap(err);
                            callback.completed(token, Outcome.FAILED,
                                    e instanceof CourierException ce ? ce.code() + ": " + ce.getMessage() : e.toString());
                            return;
                        }
                        String problem = check.problem();
                        callback.completed(token, problem == null ? Outcome.CORRECT : Outcome.WRONG, problem);
                    });
        }

        @Override
        public boolean isOpen() {
            return connection.isOpen();
        }

        @Override
        public void close() {
            connection.close();
        }
    }
}
