package dev.courier.client;

import dev.courier.client.internal.WireConnection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One handshaken connection to a Courier server. Any number of requests may be outstanding at once
 * (pipelining); replies are paired with requests by id, so they may arrive in any order. A connection never
 * retries: a request fails with the error it got ({@link ResilientConnection} retries on fresh connections).
 *
 * <p>Every reply is checked against the request it answers and the limits the server announced: a size must be
 * one a file can have, a batch must hold one point per time asked for, and so on. A reply that breaks a rule fails
 * with {@code BAD_REPLY} and closes the connection.
 *
 * <p>Thread-safe. Futures complete on the connection's event loop: chain cheap work on them, hand blocking work to
 * an executor.
 */
public final class Connection implements AutoCloseable {
    private final WireConnection wire;

    Connection(WireConnection wire) {
        this.wire = wire;
    }

    /** What the server announced in the handshake. */
    public ServerLimits limits() {
        return wire.limits();
    }

    /** The sample of {@code record} nearest to {@code timeSeconds} on {@code channelNumber} (numbered from 1). */
    public CompletableFuture<Point> point(String record, double timeSeconds, int channelNumber) {
        return wire.point(record, timeSeconds, channelNumber);
    }

    /** Many points of one record and channel in one frame; the array must not change afterwards. */
    public CompletableFuture<PointBatch> points(String record, int channelNumber, double[] timesSeconds) {
        return wire.points(record, channelNumber, timesSeconds);
    }

    /** The entries of a directory under the served root ("" for the root). */
    public CompletableFuture<List<DirectoryEntry>> list(String path) {
        return wire.list(path);
    }

    /** A file's size and modification time. */
    public CompletableFuture<FileStat> stat(String name) {
        return wire.stat(name);
    }

    /** Size, modification time and SHA-256 of a whole file; the server may answer from its cache of digests. */
    public CompletableFuture<FileDigest> digest(String name) {
        return wire.digest(name, false);
    }

    /**
     * As {@link #digest(String)}; with {@code recompute} the server hashes the file afresh instead of answering
     * from its cache: what to ask when the bytes received did not match the digest given, in case it was stale.
     */
    public CompletableFuture<FileDigest> digest(String name, boolean recompute) {
        return wire.digest(name, recompute);
    }

    /** A round trip to the server; completes with the echoed token. */
    public CompletableFuture<Long> ping(long token) {
        return wire.ping(token);
    }

    public boolean isOpen() {
        return wire.isOpen();
    }

    /** Starts closing without waiting; safe on an event loop. */
    public void closeAsync() {
        wire.closeAsync();
    }

    /** Closes the connection; requests still outstanding fail with CONNECTION_CLOSED. */
    @Override
    public void close() {
        wire.close();
    }
}
