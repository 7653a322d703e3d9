package dev.courier.client;

import dev.courier.client.internal.ClientHandler;
import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.DigestReply;
import dev.courier.protocol.DigestRequest;
import dev.courier.protocol.FileEntry;
import dev.courier.protocol.ListReply;
import dev.courier.protocol.ListRequest;
import dev.courier.protocol.Ping;
import dev.courier.protocol.PointBatchReply;
import dev.courier.protocol.PointBatchRequest;
import dev.courier.protocol.PointReply;
import dev.courier.protocol.PointRequest;
import dev.courier.protocol.Pong;
import dev.courier.protocol.ReadRequest;
import dev.courier.protocol.StatReply;
import dev.courier.protocol.StatRequest;
import dev.courier.protocol.Sha256;
import dev.courier.protocol.UploadAck;
import dev.courier.protocol.UploadBegin;
import dev.courier.protocol.UploadCommit;
import dev.courier.protocol.UploadDone;
import dev.courier.protocol.UploadReady;
import dev.courier.protocol.UploadWrite;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One handshaken connection to a Courier server. Any number of requests may be outstanding at once
 * (pipelining); replies are paired with requests by id, so they may arrive in any order. Thread-safe.
 *
 * <p>Futures complete on the connection's event loop: chain cheap work on them, hand blocking work to an executor.
 */
public final class Connection implements AutoCloseable {
    private final Channel channel;
    private final ClientHandler handler;
    private final ServerLimits limits;

    Connection(Channel channel, ClientHandler handler, ServerLimits limits) {
        this.channel = channel;
        this.handler = handler;
        this.limits = limits;
    }

    /** What the server announced in the handshake. */
    public ServerLimits limits() {
        return limits;
    }

    /** The value of {@code record} at {@code timeSeconds} on {@code channel} (numbered from 1). */
    public CompletableFuture<PointReply> point(String record, double timeSeconds, int channelNumber) {
        return handler.send(id -> new PointRequest(id, record, timeSeconds, channelNumber), PointReply.class);
    }

    /** Many points of one record and channel in one frame; the array must not change afterwards. */
    public CompletableFuture<PointBatchReply> points(String record, int channelNumber, double[] timesSeconds) {
        return handler.send(id -> new PointBatchRequest(id, record, channelNumber, timesSeconds),
                PointBatchReply.class);
    }

    /** The entries of a directory under the served root ("" for the root). */
    public CompletableFuture<List<FileEntry>> list(String path) {
        return handler.send(id -> new ListRequest(id, path), ListReply.class).thenApply(ListReply::entries);
    }

    public CompletableFuture<StatReply> stat(String name) {
        return handler.send(id -> new StatRequest(id, name), StatReply.class);
    }

    /**
     * Up to {@code lengthBytes} of a file from {@code offsetBytes}. The chunk's buffer is the caller's to release.
     */
    public CompletableFuture<ChunkReply> read(String name, long offsetBytes, int lengthBytes) {
        return handler.send(id -> new ReadRequest(id, name, offsetBytes, lengthBytes), ChunkReply.class);
    }

    /** Size, modification time and SHA-256 of a whole file. */
    public CompletableFuture<DigestReply> digest(String name) {
        return handler.send(id -> new DigestRequest(id, name), DigestReply.class);
    }

    /** Starts or resumes an upload; the reply says which ranges the server already holds. */
    public CompletableFuture<UploadReady> uploadBegin(String name, long sizeBytes, Sha256 sha256) {
        return handler.send(id -> new UploadBegin(id, name, sizeBytes, sha256), UploadReady.class);
    }

    /** Sends bytes of an upload; {@code data} is released once written, whatever happens. */
    public CompletableFuture<UploadAck> uploadWrite(long uploadId, long offsetBytes, int crc32c, ByteBuf data) {
        return handler.send(id -> new UploadWrite(id, uploadId, offsetBytes, crc32c, data), UploadAck.class);
    }

    public CompletableFuture<UploadDone> uploadCommit(long uploadId) {
        return handler.send(id -> new UploadCommit(id, uploadId), UploadDone.class);
    }

    /** A round trip to the server; completes with the echoed token. */
    public CompletableFuture<Long> ping(long token) {
        return handler.send(id -> new Ping(id, token), Pong.class).thenApply(Pong::token);
    }

    public boolean isOpen() {
        return channel.isActive();
    }

    /** Starts closing without waiting; safe on an event loop. */
    public void closeAsync() {
        channel.close();
    }

    /** Closes the connection; requests still outstanding fail with CONNECTION_CLOSED. */
    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }
}
