package dev.courier.client;

import dev.courier.client.internal.StreamHandle;
import dev.courier.client.internal.StreamListener;
import dev.courier.client.internal.WireConnection;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.RecordEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

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
    /** The credit of a range read: rows in flight and waiting at most, bytes. */
    public static final int RANGE_WINDOW_BYTES = 1 << 20;
    /** The chunks a range read asks for, bytes at most (rounded down to whole rows). */
    public static final int RANGE_CHUNK_BYTES = 64 << 10;

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

    /**
     * Every record the server holds, with its rate, length and channels (RECORDS, as many requests as the listing
     * takes frames), in the server's order: by id, numerically where ids are numbers.
     */
    public CompletableFuture<List<RecordInfo>> records() {
        return recordsFrom(0, new ArrayList<>());
    }

    private CompletableFuture<List<RecordInfo>> recordsFrom(int start, List<RecordInfo> got) {
        return wire.records(start).thenCompose(page -> {
            for (RecordEntry e : page.records()) {
                got.add(info(e));
            }
            return got.size() >= page.totalRecords() ? CompletableFuture.completedFuture(List.copyOf(got))
                    : recordsFrom(got.size(), got);
        });
    }

    private static RecordInfo info(RecordEntry e) {
        List<RecordInfo.ChannelInfo> channels = new ArrayList<>(e.channels().size());
        for (int c = 0; c < e.channels().size(); c++) {
            RecordEntry.ChannelEntry ch = e.channels().get(c);
            channels.add(new RecordInfo.ChannelInfo(c + 1, ch.name(), ch.unit(), ch.title()));
        }
        return new RecordInfo(e.id(), e.rateHz(), e.sampleCount(), e.startTimeSeconds(), e.startUnixMillis(),
                e.timeTitle(), channels);
    }

    /**
     * Streams the samples {@code fromSample, fromSample + step, ...} below {@code toSample} of {@code channels}
     * (numbered from 1, in the order given) of {@code record}, with a window of {@link #RANGE_WINDOW_BYTES}: take
     * the rows with {@link SampleStream#next()} and close the stream when done. A range past the record's end is
     * TIME_OUT_OF_RANGE and one that starts after it ends BAD_RANGE (both from the first {@code next()}), never
     * clamped; {@link RecordInfo#sampleAtOrAfter} turns seconds into sample indexes.
     *
     * @param step 1 for every sample, k for every k-th
     */
    public SampleStream range(String record, long fromSample, long toSample, int step, int[] channels) {
        SampleStream stream = new SampleStream(fromSample, step, channels.length);
        stream.started(openRange(record, fromSample, toSample, step, channels, stream.listener()));
        return stream;
    }

    /**
     * The same range read as {@link #range(String, long, long, int, int[])}, pushed: each block goes to
     * {@code onBlock} on the connection's event loop, in order, as it arrives, and its credit goes back when
     * {@code onBlock} returns, so a consumer that keeps up never waits for the window. {@code onBlock} must not block
     * (it holds up every request of the connection; hand slow work to another thread and copy what it needs first).
     * Completes with the rows delivered once the range has ended; fails with the errors {@code next()} would throw,
     * or with what {@code onBlock} threw (the stream is then cancelled). Cancelling the future cancels the stream.
     * No thread waits for the rows, which makes it the cheaper way for many short ranges.
     *
     * @param step 1 for every sample, k for every k-th
     */
    public CompletableFuture<Long> range(String record, long fromSample, long toSample, int step, int[] channels,
                                         Consumer<SampleBlock> onBlock) {
        PushedBlocks pushed = new PushedBlocks(fromSample, step, channels.length, onBlock);
        pushed.started(openRange(record, fromSample, toSample, step, channels, pushed));
        return pushed.done;
    }

    /**
     * Appends rows to live record {@code record} (creating it at {@code rateHz} with {@code channels} channels when
     * new): row r is time {@code timesSeconds[r]} and values {@code values[r * channels .. (r + 1) * channels)}.
     * Completes once the server has the rows on disk, with the sample indexes they got; fails with BAD_APPEND (wrong
     * channels or rate, a time that does not follow or is off the rate, NaN or inf), NOT_LIVE (a recorded record),
     * LIVE_DISABLED (a server without {@code --live}) or FORBIDDEN (a token without {@code live:write}).
     */
    public CompletableFuture<Appended> append(String record, double rateHz, int channels, double[] timesSeconds,
                                              double[] values) {
        return wire.append(record, rateHz, channels, timesSeconds, values)
                .thenApply(a -> new Appended(a.firstSample(), a.rows()));
    }

    /**
     * Follows live record {@code record}: the rows of {@code channels} (numbered from 1) from sample
     * {@code fromSample} on, those stored first, then each appended one as soon as it is acknowledged. Take them with
     * {@link SampleStream#next()}, which waits for more; the stream has no end and stops only when closed (then
     * {@code next()} has nothing more) or failed: SLOW_CONSUMER when this side read too slowly and the server's queue
     * for it passed its bound, UNKNOWN_RECORD, NOT_LIVE, BAD_RANGE (a {@code fromSample} past the samples stored), or
     * the connection's failure. {@link LiveTail} resubscribes after such failures without gaps or duplicates.
     */
    public SampleStream subscribe(String record, long fromSample, int[] channels) {
        SampleStream stream = new SampleStream(fromSample, 1, channels.length);
        stream.started(openSubscription(record, fromSample, channels, stream.listener()));
        return stream;
    }

    /**
     * The same subscription as {@link #subscribe(String, long, int[])}, pushed: each block of rows, stored then
     * appended, goes to {@code onBlock} on the connection's event loop as it arrives, and its credit goes back when
     * {@code onBlock} returns; no thread waits per subscriber, which is what lets one process follow thousands of
     * records. {@code onBlock} must not block. {@link Subscription#close()} ends it; {@link Subscription#done()}
     * then completes with the rows delivered, or fails as {@code next()} would (SLOW_CONSUMER, UNKNOWN_RECORD,
     * NOT_LIVE, BAD_RANGE, the connection's failure) or with what {@code onBlock} threw.
     */
    public Subscription subscribe(String record, long fromSample, int[] channels, Consumer<SampleBlock> onBlock) {
        PushedBlocks pushed = new PushedBlocks(fromSample, 1, channels.length, onBlock);
        pushed.started(openSubscription(record, fromSample, channels, pushed));
        return new Subscription(pushed);
    }

    /** RANGE_STREAM with this connection's chunk and window, its chunks to {@code listener}, pulled or pushed. */
    private StreamHandle openRange(String record, long fromSample, long toSample, int step, int[] channels,
                                   StreamListener listener) {
        int chunkBytes = chunkBytes(channels.length * Double.BYTES);
        return wire.range(record, fromSample, toSample, step, channels, Math.max(RANGE_WINDOW_BYTES, chunkBytes),
                chunkBytes, listener);
    }

    /** SUBSCRIBE with this connection's chunk and window, its chunks to {@code listener}, pulled or pushed. */
    private StreamHandle openSubscription(String record, long fromSample, int[] channels, StreamListener listener) {
        int chunkBytes = chunkBytes(channels.length * Double.BYTES);
        return wire.subscribe(record, fromSample, channels, Math.max(RANGE_WINDOW_BYTES, chunkBytes), chunkBytes,
                listener);
    }

    /** Whole rows of {@code rowBytes} in at most {@link #RANGE_CHUNK_BYTES} (and the server's cap), a page at least. */
    private int chunkBytes(int rowBytes) {
        int cap = Math.min(limits().maxChunkBytes(), RANGE_CHUNK_BYTES);
        int rows = Math.max(Math.ceilDiv(FrameDescriptor.MIN_CHUNK_CAP_BYTES, Math.max(1, rowBytes)),
                cap / Math.max(1, rowBytes));
        return rows * rowBytes;
    }

    /**
     * The min/max/first/last envelope of samples {@code [fromSample, toSample)} of {@code channels} of
     * {@code record}, in {@code buckets} buckets (fewer when the range is shorter), computed on the server; at most
     * 10,000 buckets (more is TOO_MANY_BUCKETS).
     */
    public CompletableFuture<Envelope> envelope(String record, long fromSample, long toSample, int buckets,
                                                int[] channels) {
        int[] asked = channels.clone();
        return wire.envelope(record, fromSample, toSample, buckets, asked)
                .thenApply(reply -> new Envelope(fromSample, toSample, asked, reply));
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
