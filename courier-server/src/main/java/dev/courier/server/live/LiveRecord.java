package dev.courier.server.live;

import dev.courier.server.points.Recording;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.CRC32C;

/**
 * One live record: its samples on the heap (one growing array per channel, filled from its {@link LiveFile} at
 * start-up and by each acknowledged APPEND), the {@link Recording} snapshot readers see, and its subscribers.
 *
 * <p>Threading: the {@link LiveStore}'s syncer thread is the only writer of the samples ({@link #apply}), and the
 * checkpoint's thread of the file ({@link #checkpoint}); the syncer publishes a new
 * snapshot (a volatile write) after the values are in, and never changes a value below the published count, so a
 * reader on any thread sees a consistent, immutable recording. {@link #subscribe} and {@link #apply} take the
 * record's lock, so a new subscriber gets every block after the count it was told, exactly once.
 */
final class LiveRecord {
    /**
     * Values (all channels together) a record's arrays have room for at first; they double as they fill. Per record,
     * not per channel, so that a record of many channels (up to 65,535, from one APPEND of one row or one log entry)
     * costs memory in proportion to its values.
     */
    static final int INITIAL_VALUES = 1024;
    final String id;
    final LiveFile file;
    private final List<String> channelNames;
    private double[][] columns;
    private volatile Recording snapshot;
    private final CopyOnWriteArrayList<LiveSubscriber> subscribers = new CopyOnWriteArrayList<>();
    /** The syncer's, for {@link #apply}. */
    private final CRC32C crc = new CRC32C();
    /** Rows accepted by the syncer, written or about to be: the index the next accepted row gets. */
    long acceptedRows;
    /** The time of the last accepted row; NaN before the first. */
    double lastTimeSeconds = Double.NaN;
    /** Rows in the columns, published or about to be (by the snapshot {@link #apply} or {@link #load} makes). */
    private int filled;

    LiveRecord(String id, LiveFile file, double[][] columns, int rows) {
        this.id = id;
        this.file = file;
        this.columns = columns;
        List<String> names = new ArrayList<>(file.channelCount);
        for (int c = 1; c <= file.channelCount; c++) {
            names.add("ch" + c);
        }
        this.channelNames = List.copyOf(names);
        this.acceptedRows = rows;
        this.filled = rows;
        if (rows > 0) {
            lastTimeSeconds = file.startTimeSeconds + (rows - 1) / file.rateHz;
        }
        this.snapshot = Recording.ofPrefix(id, channelNames, file.startTimeSeconds, file.rateHz, columns, rows);
    }

    /**
     * The arrays a record of {@code channels} starts with, room for {@code rows} rows and at least
     * {@link #INITIAL_VALUES} values in all.
     */
    static double[][] columnsFor(int channels, int rows) {
        return new double[channels][Math.max(rows, Math.max(1, INITIAL_VALUES / channels))];
    }

    int channelCount() {
        return file.channelCount;
    }

    /** The samples acknowledged so far. */
    Recording snapshot() {
        return snapshot;
    }

    /**
     * Adds the rows of {@code appends} (each row-major, {@code rows} rows in all, in sample order) as samples from
     * the current count on, publishes them as one snapshot, and hands them to every subscriber as one block; a
     * subscriber that is full is dropped. On the syncer thread. The APPENDs of one group commit to one record come
     * here together, so that a record costs one snapshot, one block and one offer per subscriber per group rather
     * than per APPEND.
     */
    void apply(List<double[]> appends, int rows, ByteBufAllocator alloc) {
        ByteBuf block = alloc.directBuffer(rows * file.channelCount * Double.BYTES);
        for (double[] values : appends) {
            for (double v : values) {
                block.writeDouble(v);
            }
        }
        crc.reset();
        crc.update(block.nioBuffer());
        synchronized (this) {
            int count = snapshot.sampleCount();
            for (double[] values : appends) {
                copyIn(values, values.length / file.channelCount);
            }
            snapshot = snapshot.withPrefix(columns, filled);
            LiveBlock shared = new LiveBlock(block, count, rows, (int) crc.getValue());
            for (LiveSubscriber s : subscribers) {
                if (!s.offer(shared.share())) {
                    subscribers.remove(s);
                }
            }
        }
        block.release();
    }

    /** Adds rows as {@link #apply} does, with no subscriber to tell: the log's entries replayed at start-up. */
    synchronized void load(double[] values, int rows) {
        copyIn(values, rows);
        snapshot = snapshot.withPrefix(columns, filled);
        acceptedRows = snapshot.sampleCount();
        lastTimeSeconds = file.startTimeSeconds + (acceptedRows - 1) / file.rateHz;
    }

    /**
     * Copies {@code rows} rows into the columns after the {@link #filled} ones, growing them if needed; published
     * by the caller's next snapshot.
     */
    private void copyIn(double[] values, int rows) {
        int channels = file.channelCount;
        int need = filled + rows;
        if (need > columns[0].length) {
            int capacity = Math.max(need, columns[0].length * 2);
            double[][] grown = new double[channels][];
            for (int c = 0; c < channels; c++) {
                // Copied, never changed in place: a snapshot over the old array stays as it was.
                grown[c] = Arrays.copyOf(columns[c], capacity);
            }
            columns = grown;
        }
        for (int r = 0, v = 0; r < rows; r++) {
            for (int c = 0; c < channels; c++, v++) {
                columns[c][filled + r] = values[v];
            }
        }
        filled = need;
    }

    /**
     * The checkpoint of this record: writes the published samples its file lacks and syncs it. On the checkpoint's
     * thread; the values below the published count never change, so they are read without the lock held.
     *
     * @return whether the file had anything to sync
     */
    boolean checkpoint() throws IOException {
        double[][] published;
        int count;
        synchronized (this) {
            published = columns;
            count = snapshot.sampleCount();
        }
        file.append(published, count);
        return file.sync();
    }

    /**
     * Adds {@code s}, which gets every block applied from now on.
     *
     * @return the snapshot as it was when {@code s} was added: the samples before the first block it gets
     */
    synchronized Recording subscribe(LiveSubscriber s) {
        subscribers.add(s);
        return snapshot;
    }

    void unsubscribe(LiveSubscriber s) {
        subscribers.remove(s);
    }

    int subscriberCount() {
        return subscribers.size();
    }
}
