package dev.courier.load;

import java.util.concurrent.CompletableFuture;

/**
 * What the {@link LoadEngine} drives: a server that answers small requests whose answers can be checked. The
 * engine knows nothing else about it, so Courier and Redis are measured with the very same connections,
 * pipelining, pacing and histograms. Implementations: {@link CourierTarget}, {@link RedisTarget}; another server
 * (a database, say) is measured by adding one, with its driver in this module.
 *
 * <p>Threading: {@link #open} and {@link Session#send} may be called from any thread; outcomes are reported on the
 * target's I/O threads. {@link #close} is called once, after every session is closed.
 */
public interface Target extends AutoCloseable {
    /** One line naming the server and what is asked of it, for the report. */
    String describe();

    /** Short name for JSON output: {@code courier} or {@code redis}. */
    String kind();

    /** Opens one connection, ready for requests (handshake done). Completes on any thread. */
    CompletableFuture<Session> open();

    /** Releases the target's threads; sessions must be closed first. */
    @Override
    void close();

    /** One connection. {@link #send} may be called from any thread and with any number of requests in flight. */
    interface Session extends AutoCloseable {
        /**
         * Sends one request for {@code key} (any non-negative number; the target maps it onto its key space) and
         * reports its outcome exactly once, with {@code token} passed back untouched. The callback may run on the
         * connection's I/O thread or, if the connection is already closed, inside this call.
         */
        void send(long key, long token, Callback callback);

        /** False once the connection has closed; the engine stops sending on it. */
        boolean isOpen();

        @Override
        void close();
    }

    /** Told how one request ended. Must be quick: it runs on an I/O thread. */
    @FunctionalInterface
    interface Callback {
        /**
         * @param token   what was passed to {@link Session#send}
         * @param outcome whether the answer arrived and matched the data
         * @param problem for {@link Outcome#WRONG} and {@link Outcome#FAILED}, what went wrong; otherwise null
         */
        void completed(long token, Outcome outcome, String problem);
    }

    /** How one request ended. */
    enum Outcome {
        /** The answer arrived and equals the expected value. */
        CORRECT,
        /** An answer arrived but differs from the data. */
        WRONG,
        /** No answer: an error reply, a timeout or a lost connection. */
        FAILED
    }
}
