package dev.courier.client.internal;

/**
 * The client's end of one open READ_STREAM: gives credit back as data is consumed, and cancels. Thread-safe: each
 * call hops to the connection's event loop.
 */
public interface StreamHandle {
    /** {@code bytes} of the stream's data were consumed (written): the server may send as many more. */
    void consumed(int bytes);

    /** Asks the server to stop; the stream still ends with END (or ERROR), which the listener hears. */
    void cancel();
}
