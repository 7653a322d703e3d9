package dev.courier.server.access;

import java.net.SocketAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * A server's uploads as the access log sees them, for its {@code transfer ended} lines of kind {@code upload}. An
 * upload begins with an accepted UPLOAD_BEGIN and ends with its COMMIT ({@code committed}, or the code of the ERROR
 * that answered it), or {@code abandoned} once every connection that began it or wrote to it has closed without a
 * COMMIT (the server keeps what it received for a resume, which is a transfer of its own). One upload may use several
 * connections, so this is kept per server, not per connection. Its bytes are the data of the UPLOAD_WRITEs
 * acknowledged, on every connection; its peer is that of the BEGIN. Used only while the access log is on.
 *
 * <p>Thread-safe (one lock): called from the blocking executor for BEGIN, WRITE and COMMIT and from the event loops
 * when connections close, at most once per write, which is at least 64 KiB.
 */
public final class UploadTransfers {
    private final Map<Long, Transfer> open = new HashMap<>();

    /** One upload between its BEGIN and its end, and how many open connections have taken part in it. */
    private static final class Transfer {
        final SocketAddress peer;
        final String name;
        final long startNanos = System.nanoTime();
        long bytes;
        int connections;

        Transfer(SocketAddress peer, String name) {
            this.peer = peer;
            this.name = name;
        }
    }

    /**
     * UPLOAD_BEGIN answered with {@code uploadId} on a connection of {@code peer}; {@code firstOnConnection} when that
     * connection had not taken part in the upload yet. A BEGIN of an upload already open keeps its line's start.
     */
    public synchronized void begun(long uploadId, String name, SocketAddress peer, boolean firstOnConnection) {
        Transfer t = open.computeIfAbsent(uploadId, id -> new Transfer(peer, name));
        if (firstOnConnection) {
            t.connections++;
        }
    }

    /**
     * An UPLOAD_WRITE of {@code bytes} was acknowledged; {@code firstOnConnection} as for {@link #begun}.
     *
     * @return whether the upload is open here (begun while the access log was on): only then does the connection
     *         count as taking part
     */
    public synchronized boolean wrote(long uploadId, int bytes, boolean firstOnConnection) {
        Transfer t = open.get(uploadId);
        if (t == null) {
            return false;
        }
        t.bytes += bytes;
        if (firstOnConnection) {
            t.connections++;
        }
        return true;
    }

    /** COMMIT answered: {@code committed}, or the error code. An upload not open here is ignored. */
    public void ended(long uploadId, String outcome) {
        Transfer t;
        synchronized (this) {
            t = open.remove(uploadId);
        }
        if (t != null) {
            log(t, outcome);
        }
    }

    /** A connection that took part in {@code uploadId} closed; the last one to go leaves it abandoned. */
    public void left(long uploadId) {
        Transfer t;
        synchronized (this) {
            t = open.get(uploadId);
            if (t == null || --t.connections > 0) {
                return;
            }
            open.remove(uploadId);
        }
        log(t, "abandoned");
    }

    private static void log(Transfer t, String outcome) {
        AccessLog.transfer(t.peer, "upload", t.name, t.bytes, t.startNanos, outcome);
    }
}
