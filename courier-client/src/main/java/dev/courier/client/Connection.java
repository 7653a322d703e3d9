package dev.courier.client;

import dev.courier.client.internal.ClientHandler;
import dev.courier.client.internal.ReplyRules;
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
 * <p>Every reply is checked against the request it answers and the limits the server announced (see
 * {@link ReplyRules}): a CHUNK must start where its READ asked and carry no more than it asked for, a size must be
 * one a file can have, an UPLOAD_ACK must acknowledge the write it answers, and so on. A reply that breaks a rule
 * fails with {@code BAD_REPLY} and closes the connection.
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
        int count = timesSeconds.length;
        return handler.send(id -> new PointBatchRequest(id, record, channelNumber, timesSeconds),
                PointBatchReply.class, reply -> ReplyRules.pointBatch(reply, count));
    }

    /** The entries of a directory under the served root ("" for the root). */
    public CompletableFuture<List<FileEntry>> list(String path) {
        return handler.send(id -> new ListRequest(id, path), ListReply.class, ReplyRules::listing)
                .thenApply(ListReply::entries);
    }

    public CompletableFuture<StatReply> stat(String name) {
        return handler.send(id -> new StatRequest(id, name), StatReply.class, ReplyRules::stat);
    }

    /**
     * Up to {@code lengthBytes} of a file from {@code offsetBytes}: a CHUNK that starts at {@code offsetBytes} and
     * carries 1 to {@code lengthBytes} bytes, fewer only at the end of the file. The chunk's buffer is the caller's
     * to release.
     */
    public CompletableFuture<ChunkReply> read(String name, long offsetBytes, int lengthBytes) {
        return handler.send(id -> new ReadRequest(id, name, offsetBytes, lengthBytes), ChunkReply.class,
                reply -> ReplyRules.chunk(reply, offsetBytes, lengthBytes));
    }

    /** Size, modification time and SHA-256 of a whole file; the server may answer from its cache of digests. */
    public CompletableFuture<DigestReply> digest(String name) {
        return digest(name, false);
    }

    /**
     * As {@link #digest(String)}; with {@code recompute} the server hashes the file afresh instead of answering
     * from its cache: what to ask when the bytes received did not match the digest given, in case it was stale.
     */
    public CompletableFuture<DigestReply> digest(String name, boolean recompute) {
        return handler.send(id -> new DigestRequest(id, name, recompute), DigestReply.class, ReplyRules::digest);
    }

    /**
     * Starts or resumes an upload; the reply says which ranges the server already holds, each inside the
     * {@code sizeBytes} of the upload, and how large a write may be: at least {@link ReplyRules#MIN_WRITE_BYTES}
     * and no more than fits in the server's request frame.
     */
    public CompletableFuture<UploadReady> uploadBegin(String name, long sizeBytes, Sha256 sha256) {
        return handler.send(id -> new UploadBegin(id, name, sizeBytes, sha256), UploadReady.class,
                reply -> ReplyRules.uploadReady(reply, sizeBytes, limits.maxFrameBytes()));
    }

    /**
     * Sends bytes of an upload; the UPLOAD_ACK must acknowledge exactly those bytes. {@code data} is released once
     * written, whatever happens.
     */
    public CompletableFuture<UploadAck> uploadWrite(long uploadId, long offsetBytes, int crc32c, ByteBuf data) {
        int lengthBytes = data.readableBytes();
        return handler.send(id -> new UploadWrite(id, uploadId, offsetBytes, crc32c, data), UploadAck.class,
                reply -> ReplyRules.uploadAck(reply, offsetBytes, lengthBytes));
    }

    /**
     * Commits an upload whose size and SHA-256 the caller knows: the UPLOAD_DONE must report the same two, or the
     * server stored something else than was sent.
     */
    public CompletableFuture<UploadDone> uploadCommit(long uploadId, long sizeBytes, Sha256 sha256) {
        return handler.send(id -> new UploadCommit(id, uploadId), UploadDone.class,
                reply -> ReplyRules.uploadDone(reply, sizeBytes, sha256));
    }

    /**
     * Commits an upload. Without the upload's size and SHA-256 the reply can only be checked for a size a file can
     * have: {@link #uploadCommit(long, long, Sha256)} checks it against what was sent.
     */
    public CompletableFuture<UploadDone> uploadCommit(long uploadId) {
        return handler.send(id -> new UploadCommit(id, uploadId), UploadDone.class,
                reply -> ReplyRules.uploadDone(reply, -1, null));
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
