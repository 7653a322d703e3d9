package dev.courier.server.points;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Failure;
import java.util.List;
import java.util.Objects;

/**
 * One recording: uniformly sampled channels held as columns, either memory-mapped from a {@link ColumnFile} (what
 * the server uses, see {@link RecordingCache}) or on the heap (parsed straight from CSV). Reading a value
 * allocates nothing. Immutable after construction and safe to read from any thread.
 *
 * <p>The sample for a time t is the one at {@code round((t - startTimeSeconds) * rateHz)}.
 */
public final class Recording {
    private final String id;
    private final List<String> channelNames;
    private final double startTimeSeconds;
    private final double rateHz;
    private final Column[] channels;
    private final int sampleCount;

    /**
     * @param channels one array per channel, all of the same length; taken over, not copied
     */
    public Recording(String id, List<String> channelNames, double startTimeSeconds, double rateHz,
                     double[][] channels) {
        this(id, channelNames, startTimeSeconds, rateHz, columns(channels));
    }

    /** Over columns of any storage, all of the same length. */
    Recording(String id, List<String> channelNames, double startTimeSeconds, double rateHz, Column[] channels) {
        this.id = Objects.requireNonNull(id, "id");
        this.channelNames = List.copyOf(channelNames);
        this.startTimeSeconds = startTimeSeconds;
        this.rateHz = rateHz;
        this.channels = channels;
        if (channels.length == 0 || channels.length != channelNames.size()) {
            throw new IllegalArgumentException("need one name per channel and at least one channel");
        }
        this.sampleCount = channels[0].sampleCount();
        for (Column c : channels) {
            if (c.sampleCount() != sampleCount) {
                throw new IllegalArgumentException("channels differ in length");
            }
        }
        if (!(rateHz > 0)) {
            throw new IllegalArgumentException("rate must be positive: " + rateHz);
        }
    }

    private static Column[] columns(double[][] arrays) {
        Column[] columns = new Column[arrays.length];
        for (int c = 0; c < arrays.length; c++) {
            columns[c] = Column.of(arrays[c]);
        }
        return columns;
    }

    /** Bytes the samples take where they are stored (a mapped file or the heap). */
    long storedBytes() {
        long bytes = 0;
        for (Column c : channels) {
            bytes += c.byteSize();
        }
        return bytes;
    }

    public String id() {
        return id;
    }

    public List<String> channelNames() {
        return channelNames;
    }

    public int channelCount() {
        return channels.length;
    }

    public int sampleCount() {
        return sampleCount;
    }

    public double rateHz() {
        return rateHz;
    }

    public double startTimeSeconds() {
        return startTimeSeconds;
    }

    /**
     * The index of the sample nearest {@code timeSeconds}.
     *
     * @throws Failure TIME_OUT_OF_RANGE or MALFORMED_REQUEST (for NaN)
     */
    public int sampleIndex(double timeSeconds) {
        if (Double.isNaN(timeSeconds)) {
            throw new Failure(ErrorCode.MALFORMED_REQUEST, "time is not a number");
        }
        double position = (timeSeconds - startTimeSeconds) * rateHz;
        long index = Math.round(position);
        if (index < 0 || index >= sampleCount) {
            throw new Failure(ErrorCode.TIME_OUT_OF_RANGE,
                    "time " + timeSeconds + " s is outside record " + id + " (" + startTimeSeconds + " to "
                            + sampleTimeSeconds(sampleCount - 1) + " s)");
        }
        return (int) index;
    }

    /** The exact time of sample {@code index}. */
    public double sampleTimeSeconds(int index) {
        return startTimeSeconds + index / rateHz;
    }

    /**
     * The value of sample {@code index} on {@code channel} (numbered from 1).
     *
     * @throws Failure UNKNOWN_CHANNEL
     */
    public double value(int channel, int index) {
        return column(channel).get(index);
    }

    /** The column of {@code channel} (numbered from 1). */
    Column column(int channel) {
        if (channel < 1 || channel > channels.length) {
            throw new Failure(ErrorCode.UNKNOWN_CHANNEL,
                    "record " + id + " has channels 1 to " + channels.length + ", not " + channel);
        }
        return channels[channel - 1];
    }
}
