package dev.courier.load;

import dev.courier.client.ClientConfig;
import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import java.util.concurrent.CompletableFuture;

/**
 * Point requests to a Courier server through the client library, as an application would make them. Key
 * {@code k} asks for record {@code k mod R}, row {@code (k / R) mod S} of the data set ({@code R} records of
 * {@code S} rows), at the exact time of that row; the answer must carry that row's sample index and value.
 *
 * <p>Threading: as {@link Target}; the client's event loops deliver the outcomes.
 */
public final class CourierTarget implements Target {
    private final CourierClient client;
    private final PointData data;
    private final int channel;

    /**
     * A target that connects with {@code config} (its address, I/O threads and request timeout) and checks answers
     * against {@code data}.
     *
     * @param channel the channel asked for, numbered from 1
     * @throws IllegalArgumentException when some record of {@code data} has no such channel
     */
    public CourierTarget(ClientConfig config, PointData data, int channel) {
        for (int r = 0; r < data.recordCount(); r++) {
            if (channel < 1 || channel > data.channels(r)) {
                throw new IllegalArgumentException("record " + data.records().get(r) + " has channels 1 to "
                        + data.channels(r) + ", not " + channel);
            }
        }
        this.client = new CourierClient(config);
        this.data = data;
        this.channel = channel;
    }

    @Override
    public String describe() {
        return "courier " + client.config().address() + ": POINT of " + data.recordCount() + " records x "
                + data.samplesPerRecord() + " samples, channel " + channel;
    }

    @Override
    public String kind() {
        return "courier";
    }

    @Override
    public CompletableFuture<Session> open() {
        return client.connect().thenApply(PointSession::new);
    }

    @Override
    public void close() {
        client.close();
    }

    private final class PointSession implements Session {
        private final Connection connection;

        PointSession(Connection connection) {
            this.connection = connection;
        }

        @Override
        public void send(long key, long token, Callback callback) {
            int records = data.recordCount();
            int r = (int) (key % records);
            int row = (int) ((key / records) % data.samplesPerRecord());
            int sample = data.sampleIndex(r, row);
            double expected = data.value(r, channel, row);
            connection.point(data.records().get(r), data.timeSeconds(r, row), channel)
                    .whenComplete((reply, err) -> {
                        if (err != null) {
                            RuntimeException e = CourierException.unwrap(err);
                            callback.completed(token, Outcome.FAILED, e instanceof CourierException c
                                    ? c.code() + ": " + c.getMessage() : e.toString());
                        } else if (reply.sampleIndex() != sample || reply.value() != expected) {
                            callback.completed(token, Outcome.WRONG, "record " + data.records().get(r) + " sample "
                                    + sample + ": expected " + expected + " at index " + sample + ", got "
                                    + reply.value() + " at index " + reply.sampleIndex());
                        } else {
                            callback.completed(token, Outcome.CORRECT, null);
                        }
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
