package dev.courier.load;

import dev.courier.client.ClientConfig;
import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.client.SampleBlock;
import dev.courier.client.SampleStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Range reads (RANGE_STREAM) of a Courier server through the client library, as an application makes them: each
 * request streams {@link RangeSpans}'s range of one channel and checks every value. A range is read on a virtual
 * thread of the session, block by block as {@link SampleStream#next()} hands them out.
 *
 * <p>Threading: as {@link Target}; outcomes are reported on the sessions' virtual threads.
 */
public final class CourierRangeTarget implements Target {
    private final CourierClient client;
    private final RangeSpans spans;
    private final ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor();

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
        readers.close();
        client.close();
    }

    private final class RangeSession implements Session {
        private final Connection connection;

        RangeSession(Connection connection) {
            this.connection = connection;
        }

        @Override
        public void send(long key, long token, Callback callback) {
            readers.execute(() -> {
                int from = spans.fromSample(key);
                int[] channels = {spans.channel()};
                String problem = null;
                int seen = 0;
                try (SampleStream s = connection.range(spans.record(key), from, from + spans.spanSamples(), 1,
                        channels)) {
                    for (SampleBlock b; (b = s.next()) != null; ) {
                        for (int i = 0; i < b.rows(); i++, seen++) {
                            String wrong = problem == null ? spans.check(key, seen, b.value(i, 0)) : null;
                            problem = problem == null ? wrong : problem;
                        }
                    }
                } catch (CourierException e) {
                    callback.completed(token, Outcome.FAILED, e.code() + ": " + e.getMessage());
                    return;
                }
                if (problem == null && seen != spans.spanSamples()) {
                    problem = "record " + spans.record(key) + ": " + seen + " samples, not " + spans.spanSamples();
                }
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
