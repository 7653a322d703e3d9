package dev.courier.server.access;

import dev.courier.protocol.WireText;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The server's access log, on its own logger {@value #LOGGER} at INFO so that it can be turned on or off apart from
 * the rest: one line when a connection closes ({@link ConnectionRecord}) and one when a file transfer (a stream, an
 * upload: {@link UploadTransfers}, or a download by READs: {@link ReadTransfers}) ends. Each line is a fixed message
 * with key-value pairs (SLF4J's fluent API), so a JSON encoder writes them as fields and the text format as
 * {@code key="value"}. Names from the wire are made printable and cut to
 * {@link #NAME_CHARS}. Thread-safe.
 */
public final class AccessLog {
    /** The logger's name. */
    public static final String LOGGER = "courier.access";
    /** What a line keeps of a name from the wire, in chars. */
    static final int NAME_CHARS = 200;
    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    private AccessLog() {
    }

    /** Whether lines are written at all: checked once per connection and per transfer, not per request. */
    public static boolean enabled() {
        return log.isInfoEnabled();
    }

    /**
     * A transfer (a READ_STREAM, a RANGE_STREAM or an upload) has ended.
     *
     * @param kind     {@code file}, {@code range} or {@code upload}
     * @param name     the file's name or the record's id, as the client sent it
     * @param bytes    data bytes sent (received, for an upload)
     * @param outcome  {@code ok}, {@code cancelled}, {@code connection_closed} or the error code sent; for an upload
     *                 {@code committed}, {@code abandoned} or the error code that answered its COMMIT
     */
    public static void transfer(SocketAddress peer, String kind, String name, long bytes, long startNanos,
                                String outcome) {
        transferLine(peer, kind, name, bytes, startNanos).addKeyValue("outcome", outcome).log();
    }

    /**
     * A download by READs has ended ({@link ReadTransfers}, kind {@value ReadTransfers#KIND}): the fields of
     * {@link #transfer} and {@code reads}, the READs it took.
     */
    static void reads(SocketAddress peer, String name, long bytes, long reads, long startNanos, String outcome) {
        transferLine(peer, ReadTransfers.KIND, name, bytes, startNanos)
                .addKeyValue("reads", reads)
                .addKeyValue("outcome", outcome)
                .log();
    }

    private static LoggingEventBuilder transferLine(SocketAddress peer, String kind, String name, long bytes,
                                                    long startNanos) {
        return log.atInfo().setMessage("transfer ended")
                .addKeyValue("peer", peer)
                .addKeyValue("kind", kind)
                .addKeyValue("name", WireText.printable(name, NAME_CHARS))
                .addKeyValue("bytes", bytes)
                .addKeyValue("duration_ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
    }

    static void connection(SocketAddress peer, String port, long startNanos, long requests, long errors,
                           long bytesIn, long bytesOut, String closeReason) {
        log.atInfo().setMessage("connection closed")
                .addKeyValue("peer", peer)
                .addKeyValue("port", port)
                .addKeyValue("duration_ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos))
                .addKeyValue("requests", requests)
                .addKeyValue("errors", errors)
                .addKeyValue("bytes_in", bytesIn)
                .addKeyValue("bytes_out", bytesOut)
                .addKeyValue("close_reason", closeReason)
                .log();
    }
}
