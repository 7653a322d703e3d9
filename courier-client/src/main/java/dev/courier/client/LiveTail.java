package dev.courier.client;

import dev.courier.protocol.ErrorCode;

/**
 * Follows a live record across failures: a {@link Connection#subscribe} that, when the connection breaks, the
 * server restarts or drops it as SLOW_CONSUMER, connects again and subscribes from the sample after the last one it
 * handed out, so the caller sees every sample once, in order, with no gap and no duplicate. Waits between attempts
 * follow {@code backoff}; after {@code giveUpMillis} without a connection it fails with the last error. A failure no
 * reconnect cures (UNKNOWN_RECORD, NOT_LIVE, FORBIDDEN, ...) is thrown at once.
 *
 * <p>For one consumer thread, which {@link #next()} blocks.
 */
public final class LiveTail implements AutoCloseable {
    private final CourierClient client;
    private final String record;
    private final int[] channels;
    private final Backoff backoff;
    private final long giveUpMillis;
    private Connection connection;
    private SampleStream stream;
    private long nextSample;
    private boolean closed;

    /**
     * @param fromSample   the first sample wanted
     * @param giveUpMillis how long to keep trying to reconnect before failing
     */
    public LiveTail(CourierClient client, String record, long fromSample, int[] channels, Backoff backoff,
                    long giveUpMillis) {
        this.client = client;
        this.record = record;
        this.channels = channels.clone();
        this.backoff = backoff;
        this.giveUpMillis = giveUpMillis;
        this.nextSample = fromSample;
    }

    /** The sample index the next row handed out will have. */
    public long nextSample() {
        return nextSample;
    }

    /**
     * The next rows, waiting for them (reconnecting as needed); null once closed.
     *
     * @throws CourierException a failure no reconnect cures, or the last one after {@code giveUpMillis}
     */
    public SampleBlock next() {
        int attempt = 0;
        long giveUpAt = System.nanoTime() + giveUpMillis * 1_000_000;
        while (!closed) {
            try {
                if (stream == null) {
                    connection = client.open();
                    stream = connection.subscribe(record, nextSample, channels);
                }
                SampleBlock b = stream.next();
                if (b == null) {
                    return null;
                }
                nextSample = b.sampleIndex(b.rows() - 1) + 1;
                return b;
            } catch (CourierException e) {
                if (!curable(e.code()) || System.nanoTime() - giveUpAt > 0) {
                    throw e;
                }
                drop();
                pause(backoff.delayMillis(attempt++));
            }
        }
        return null;
    }

    private static boolean curable(ErrorCode code) {
        return switch (code) {
            case CONNECTION_CLOSED, CONNECTION_FAILED, SHUTTING_DOWN, TIMED_OUT, IDLE_TIMEOUT, WRITE_TIMEOUT,
                 SLOW_CONSUMER, TOO_MANY_CONNECTIONS -> true;
            default -> false;
        };
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis); // the backoff between reconnects, not a wait for an event
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CourierException(ErrorCode.CONNECTION_CLOSED, "interrupted while reconnecting", e);
        }
    }

    private void drop() {
        if (stream != null) {
            stream.close();
            stream = null;
        }
        if (connection != null) {
            connection.closeAsync();
            connection = null;
        }
    }

    /** Stops following; {@link #next()} returns null from now on. */
    @Override
    public void close() {
        closed = true;
        drop();
    }
}
