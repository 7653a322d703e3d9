package dev.courier.client.internal;

import dev.courier.client.CourierException;
import dev.courier.client.DirectoryEntry;
import dev.courier.client.FileDigest;
import dev.courier.client.FileStat;
import dev.courier.client.Point;
import dev.courier.client.PointBatch;
import dev.courier.client.ServerLimits;
import dev.courier.client.internal.ClientHandler.ReplyCheck;
import dev.courier.protocol.AppendAck;
import dev.courier.protocol.AppendRequest;
import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.DigestReply;
import dev.courier.protocol.DigestRequest;
import dev.courier.protocol.EnvelopeReply;
import dev.courier.protocol.EnvelopeRequest;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.FileEntry;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.ListReply;
import dev.courier.protocol.ListRequest;
import dev.courier.protocol.Ping;
import dev.courier.protocol.PointBatchReply;
import dev.courier.protocol.PointBatchRequest;
import dev.courier.protocol.PointReply;
import dev.courier.protocol.PointRequest;
import dev.courier.protocol.Pong;
import dev.courier.protocol.RangeRequest;
import dev.courier.protocol.ReadRequest;
import dev.courier.protocol.RecordsReply;
import dev.courier.protocol.RecordsRequest;
import dev.courier.protocol.Sha256;
import dev.courier.protocol.StatReply;
import dev.courier.protocol.StatRequest;
import dev.courier.protocol.StreamRequest;
import dev.courier.protocol.SubscribeRequest;
import dev.courier.protocol.UploadAck;
import dev.courier.protocol.UploadBegin;
import dev.courier.protocol.UploadCommit;
import dev.courier.protocol.UploadDone;
import dev.courier.protocol.UploadReady;
import dev.courier.protocol.UploadWrite;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * One handshaken connection, with every request the protocol has: what the public {@code Connection} offers, in
 * the client's own value types, and below it the operations that carry the protocol's records and Netty buffers
 * (a READ and its CHUNK, the UPLOAD_ frames), for the transfers. Each request is built here, sent through the
 * connection's {@link ClientHandler}, and its reply checked by {@link ReplyRules} and converted there, on the event
 * loop as it arrives; a reply that breaks a rule fails with {@code BAD_REPLY} and closes the connection.
 *
 * <p>Thread-safe. Futures complete on the connection's event loop: chain cheap work on them only.
 */
public final class WireConnection implements AutoCloseable {
    /** An upload id no server hands out (they are below 2^63): what {@link #takesDigestAtCommit} commits. */
    static final long NO_UPLOAD_ID = -1L;
    private static final Sha256 NO_DIGEST = new Sha256(new byte[FrameDescriptor.SHA256_BYTES]);

    private final Channel channel;
    private final ClientHandler handler;
    private final ServerLimits limits;

    public WireConnection(Channel channel, ClientHandler handler, ServerLimits limits) {
        this.channel = channel;
        this.handler = handler;
        this.limits = limits;
    }

    /** The connection's channel, for the {@link Dialer} that opened it. */
    Channel channel() {
        return channel;
    }

    /** What the server announced in the handshake. */
    public ServerLimits limits() {
        return limits;
    }

    /** The sample of {@code record} nearest to {@code timeSeconds} on {@code channelNumber} (numbered from 1). */
    public CompletableFuture<Point> point(String record, double timeSeconds, int channelNumber) {
        return handler.send(new PointRequest(handler.nextRequestId(), record, timeSeconds, channelNumber),
                PointReply.class, ReplyCheck.none(), WireConnection::point);
    }

    /** Many points of one record and channel in one frame; the array must not change afterwards. */
    public CompletableFuture<PointBatch> points(String record, int channelNumber, double[] timesSeconds) {
        int count = timesSeconds.length;
        return handler.send(new PointBatchRequest(handler.nextRequestId(), record, channelNumber, timesSeconds),
                PointBatchReply.class, reply -> ReplyRules.pointBatch(reply, count), WireConnection::batch);
    }

    /** The entries of a directory under the served root ("" for the root). */
    public CompletableFuture<List<DirectoryEntry>> list(String path) {
        return handler.send(new ListRequest(handler.nextRequestId(), path), ListReply.class, ReplyRules::listing,
                WireConnection::entries);
    }

    /** A file's size and modification time. */
    public CompletableFuture<FileStat> stat(String name) {
        return handler.send(new StatRequest(handler.nextRequestId(), name), StatReply.class, ReplyRules::stat,
                WireConnection::stat);
    }

    /**
     * A whole file's size, modification time and SHA-256; with {@code recompute} the server hashes the file afresh
     * instead of answering from its cache of digests.
     */
    public CompletableFuture<FileDigest> digest(String name, boolean recompute) {
        return handler.send(new DigestRequest(handler.nextRequestId(), name, recompute), DigestReply.class,
                ReplyRules::digest, WireConnection::digest);
    }

    /** A round trip to the server; completes with the echoed token. */
    public CompletableFuture<Long> ping(long token) {
        return handler.send(new Ping(handler.nextRequestId(), token), Pong.class, ReplyCheck.none(), Pong::token);
    }

    /**
     * Up to {@code lengthBytes} of a file from {@code offsetBytes}: a CHUNK that starts at {@code offsetBytes} and
     * carries 1 to {@code lengthBytes} bytes, fewer only at the end of the file. The chunk's buffer is the caller's
     * to release. {@code refetch} says the range is asked for again because its copy failed the CRC32C (flag REFETCH,
     * which the server only counts).
     */
    public CompletableFuture<ChunkReply> read(String name, long offsetBytes, int lengthBytes, boolean refetch) {
        return handler.send(new ReadRequest(handler.nextRequestId(), name, offsetBytes, lengthBytes, refetch),
                ChunkReply.class, reply -> ReplyRules.chunk(reply, offsetBytes, lengthBytes), Function.identity());
    }

    /**
     * Streams {@code lengthBytes} of {@code version} of {@code name} from {@code offsetBytes} (READ_STREAM): the
     * server pushes CHUNKs of {@code chunkBytes} within the credit granted, {@code windowBytes} to start with and
     * whatever {@link StreamHandle#consumed} gives back; they go to {@code listener} on the event loop, each checked
     * against the stream's rules first ({@link ReplyRules#streamChunk}). A server that predates streams answers
     * UNKNOWN_TYPE, and closes the connection. {@code refetch} as for {@link #read}.
     */
    public StreamHandle stream(String name, long offsetBytes, long lengthBytes, int windowBytes, int chunkBytes,
                               FileDigest version, boolean refetch, StreamListener listener) {
        return handler.openStream(new StreamRequest(handler.nextRequestId(), name, offsetBytes, lengthBytes,
                windowBytes, chunkBytes, version.sizeBytes(), version.modifiedMillis(), refetch), listener);
    }

    /** RECORDS: the records from the {@code startIndex}-th on, as many as fit in one frame. */
    public CompletableFuture<RecordsReply> records(int startIndex) {
        return handler.send(new RecordsRequest(handler.nextRequestId(), startIndex), RecordsReply.class,
                reply -> ReplyRules.records(reply, startIndex), Function.identity());
    }

    /**
     * RANGE_STREAM: streams rows {@code fromSample, fromSample + step, ...} below {@code toSample} of
     * {@code channels} of {@code record} as CHUNKs of {@code chunkBytes} (a multiple of the row) within the credit
     * of {@code windowBytes} and what {@link StreamHandle#consumed} gives back; each chunk is checked against the
     * stream's rules before {@code listener} sees it, as for {@link #stream}. It asks for scaled rows (flag SCALED),
     * so chunks of i16 columns come in a quarter of the bytes; the listener decodes both kinds.
     */
    public StreamHandle range(String record, long fromSample, long toSample, int step, int[] channels,
                              int windowBytes, int chunkBytes, StreamListener listener) {
        return handler.openStream(new RangeRequest(handler.nextRequestId(), record, fromSample, toSample, step,
                windowBytes, chunkBytes, channels.clone(), true), listener);
    }

    /**
     * APPEND: adds rows (row r is {@code timesSeconds[r]} and {@code values[r * channels ..]}) to live record
     * {@code record}, creating it at {@code rateHz}; completes once the server has them on disk.
     */
    public CompletableFuture<AppendAck> append(String record, double rateHz, int channels, double[] timesSeconds,
                                               double[] values) {
        int rows = timesSeconds.length;
        return handler.send(new AppendRequest(handler.nextRequestId(), record, rateHz, channels, timesSeconds.clone(),
                values.clone()), AppendAck.class, reply -> ReplyRules.appendAck(reply, rows), Function.identity());
    }

    /**
     * SUBSCRIBE: streams the rows of {@code channels} of live record {@code record} from {@code fromSample} on,
     * stored then appended, under a window of {@code windowBytes}; the stream ends only when cancelled or failed.
     */
    public StreamHandle subscribe(String record, long fromSample, int[] channels, int windowBytes, int chunkBytes,
                                  StreamListener listener) {
        return handler.openStream(new SubscribeRequest(handler.nextRequestId(), record, fromSample, windowBytes,
                chunkBytes, channels.clone()), listener);
    }

    /** ENVELOPE: min, max, first and last of each of up to {@code buckets} buckets of the range, per channel. */
    public CompletableFuture<EnvelopeReply> envelope(String record, long fromSample, long toSample, int buckets,
                                                     int[] channels) {
        int expected = EnvelopeRequest.bucketCount(fromSample, toSample, buckets);
        int channelCount = channels.length;
        return handler.send(new EnvelopeRequest(handler.nextRequestId(), record, fromSample, toSample, buckets,
                channels.clone()), EnvelopeReply.class, reply -> ReplyRules.envelope(reply, expected, channelCount),
                Function.identity());
    }

    /**
     * Starts or resumes an upload; the reply says which ranges the server already holds, each inside the
     * {@code sizeBytes} of the upload, and how large a write may be: at least {@link ReplyRules#MIN_WRITE_BYTES}
     * and no more than fits in the server's request frame.
     */
    public CompletableFuture<UploadReady> uploadBegin(String name, long sizeBytes, Sha256 sha256) {
        return handler.send(new UploadBegin(handler.nextRequestId(), name, sizeBytes, sha256), UploadReady.class,
                reply -> ReplyRules.uploadReady(reply, sizeBytes, limits.maxFrameBytes()), Function.identity());
    }

    /**
     * Sends bytes of an upload; the UPLOAD_ACK must acknowledge exactly those bytes. {@code data} is released once
     * written, whatever happens.
     */
    public CompletableFuture<UploadAck> uploadWrite(long uploadId, long offsetBytes, int crc32c, ByteBuf data) {
        int lengthBytes = data.readableBytes();
        return handler.send(new UploadWrite(handler.nextRequestId(), uploadId, offsetBytes, crc32c, data),
                UploadAck.class, reply -> ReplyRules.uploadAck(reply, offsetBytes, lengthBytes), Function.identity());
    }

    /**
     * Commits an upload whose size and SHA-256 the caller knows: the UPLOAD_DONE must report the same two, or the
     * server stored something else than was sent.
     */
    public CompletableFuture<UploadDone> uploadCommit(long uploadId, long sizeBytes, Sha256 sha256) {
        return uploadCommit(uploadId, sizeBytes, sha256, false);
    }

    /**
     * As {@link #uploadCommit(long, long, Sha256)}; with {@code announce} the COMMIT carries the SHA-256, which the
     * server then checks instead of the one in the BEGIN (only for a server that {@link #takesDigestAtCommit}).
     */
    public CompletableFuture<UploadDone> uploadCommit(long uploadId, long sizeBytes, Sha256 sha256,
                                                      boolean announce) {
        return handler.send(new UploadCommit(handler.nextRequestId(), uploadId,
                        announce ? Optional.of(sha256) : Optional.empty()), UploadDone.class,
                reply -> ReplyRules.uploadDone(reply, sizeBytes, sha256), Function.identity());
    }

    /**
     * Whether the server takes a file's SHA-256 in UPLOAD_COMMIT, so that an upload may announce it there, after
     * hashing while it sends, rather than in UPLOAD_BEGIN, after hashing first. Asked with a COMMIT that carries the
     * field, of an upload id no server hands out ({@link #NO_UPLOAD_ID}): a server that reads the field answers
     * UNKNOWN_UPLOAD, one that predates it MALFORMED_REQUEST (bytes after the payload); neither changes anything.
     * Any other refusal (no uploads, no scope, over a rate) also completes with false, and the BEGIN that follows
     * meets it again; a lost connection fails, for a retry.
     */
    public CompletableFuture<Boolean> takesDigestAtCommit() {
        return handler.send(new UploadCommit(handler.nextRequestId(), NO_UPLOAD_ID, Optional.of(NO_DIGEST)),
                        UploadDone.class, reply -> "UPLOAD_DONE for upload id " + Long.toUnsignedString(NO_UPLOAD_ID)
                                + ", which no server hands out", Function.identity())
                .handle((done, err) -> {
                    // No UPLOAD_DONE gets here: the check above refuses it (BAD_REPLY).
                    if (CourierException.unwrap(err) instanceof CourierException e && !Retry.curable(e)
                            && e.code() != ErrorCode.BAD_REPLY) {
                        return e.code() == ErrorCode.UNKNOWN_UPLOAD;
                    }
                    throw err instanceof CompletionException c ? c : new CompletionException(err);
                });
    }

    /**
     * Commits an upload. Without the upload's size and SHA-256 the reply can only be checked for a size a file can
     * have: {@link #uploadCommit(long, long, Sha256)} checks it against what was sent.
     */
    public CompletableFuture<UploadDone> uploadCommit(long uploadId) {
        return handler.send(new UploadCommit(handler.nextRequestId(), uploadId), UploadDone.class,
                reply -> ReplyRules.uploadDone(reply, -1, null), Function.identity());
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

    private static Point point(PointReply r) {
        return new Point(r.value(), r.sampleIndex(), r.sampleTimeSeconds());
    }

    private static PointBatch batch(PointBatchReply r) {
        return new PointBatch(r.sampleIndexes(), r.sampleTimesSeconds(), r.values());
    }

    private static List<DirectoryEntry> entries(ListReply r) {
        List<FileEntry> listed = r.entries();
        DirectoryEntry[] entries = new DirectoryEntry[listed.size()];
        for (int i = 0; i < entries.length; i++) {
            FileEntry e = listed.get(i);
            entries[i] = new DirectoryEntry(e.name(), e.directory(), e.sizeBytes(), e.modifiedMillis());
        }
        return List.of(entries);
    }

    private static FileStat stat(StatReply r) {
        return new FileStat(r.sizeBytes(), r.modifiedMillis());
    }

    private static FileDigest digest(DigestReply r) {
        return new FileDigest(r.sizeBytes(), r.modifiedMillis(), r.sha256().hex());
    }
}
