package dev.courier.server.points;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Failure;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One recording: uniformly sampled channels held as columns, either memory-mapped from a {@link ColumnFile} (what
 * the server uses, see {@link RecordingCache}) or on the heap (parsed straight from CSV). Reading a value
 * allocates nothing. Immutable after construction and safe to read from any thread.
 *
 * <p>The sample for a time t is the one at {@code round((t - startTimeSeconds) * rateHz)}.
 *
 * <p>Metadata: the channel titles are the CSV header's fields (or {@code ch1}, {@code ch2}, ... without a header
 * row), and {@link #timeTitle()} its time column's; each channel's {@link Label} (name and unit) comes from its title
 * ({@code ecg1 (mV)} is name {@code ecg1}, unit {@code mV}) unless a sidecar gives one ({@link #withLabels}).
 */
public final class Recording {
    private final String id;
    private final List<String> channelNames;
    private final double startTimeSeconds;
    private final double rateHz;
    private final Column[] channels;
    private final int sampleCount;
    private final Optional<String> timeTitle;
    private final List<Label> labels;
    private final OptionalLong startUnixMillis;

    /** A title that ends in a unit in parentheses: {@code ecg1 (mV)}. */
    private static final Pattern TITLE_WITH_UNIT = Pattern.compile("(.*?)\\s*\\(([^()]*)\\)");

    /** A channel's name and unit ("" when not known). */
    public record Label(String name, String unit) {
        public Label {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(unit, "unit");
        }

        /** The label a CSV header title gives: a unit in parentheses at its end is the unit. */
        static Label ofTitle(String title) {
            if (!title.endsWith(")")) {
                // What the pattern would say, without a match for each channel of each live snapshot ("ch1"...).
                return new Label(title, "");
            }
            Matcher m = TITLE_WITH_UNIT.matcher(title);
            return m.matches() && !m.group(1).isEmpty() ? new Label(m.group(1), m.group(2).strip())
                    : new Label(title, "");
        }
    }

    /**
     * @param channels one array per channel, all of the same length; taken over, not copied
     */
    public Recording(String id, List<String> channelNames, double startTimeSeconds, double rateHz,
                     double[][] channels) {
        this(id, channelNames, startTimeSeconds, rateHz, columns(channels), Optional.empty());
    }

    /**
     * Over columns of any storage, all of the same length.
     *
     * @param timeTitle the CSV header's time column title; empty when the CSV had no header row
     */
    Recording(String id, List<String> channelNames, double startTimeSeconds, double rateHz, Column[] channels,
              Optional<String> timeTitle) {
        this(id, channelNames, startTimeSeconds, rateHz, channels, timeTitle, labelsOf(channelNames),
                OptionalLong.empty());
    }

    private Recording(String id, List<String> channelNames, double startTimeSeconds, double rateHz,
                      Column[] channels, Optional<String> timeTitle, List<Label> labels,
                      OptionalLong startUnixMillis) {
        this.timeTitle = Objects.requireNonNull(timeTitle, "timeTitle");
        this.labels = List.copyOf(labels);
        this.startUnixMillis = Objects.requireNonNull(startUnixMillis, "startUnixMillis");
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
        if (this.labels.size() != channels.length) {
            throw new IllegalArgumentException("need one label per channel");
        }
    }

    private static List<Label> labelsOf(List<String> titles) {
        List<Label> labels = new ArrayList<>(titles.size());
        for (String t : titles) {
            labels.add(Label.ofTitle(t));
        }
        return labels;
    }

    /** This recording, same samples, with the labels and wall-clock start a sidecar gives. */
    public Recording withLabels(List<Label> labels, OptionalLong startUnixMillis) {
        return new Recording(id, channelNames, startTimeSeconds, rateHz, channels, timeTitle, labels,
                startUnixMillis);
    }

    /** The CSV header's time column title; empty when the CSV had no header row. */
    public Optional<String> timeTitle() {
        return timeTitle;
    }

    /** Each channel's name and unit, channel 1 first. */
    public List<Label> labels() {
        return labels;
    }

    /** The wall-clock time of sample 0, ms since the Unix epoch, when a sidecar says it. */
    public OptionalLong startUnixMillis() {
        return startUnixMillis;
    }

    /**
     * A snapshot of a live record: the first {@code sampleCount} values of each of {@code arrays}, which are not
     * copied. The caller never changes those values (it only writes beyond them), so the snapshot is immutable.
     */
    public static Recording ofPrefix(String id, List<String> channelNames, double startTimeSeconds, double rateHz,
                                     double[][] arrays, int sampleCount) {
        return new Recording(id, channelNames, startTimeSeconds, rateHz, columns(arrays, sampleCount),
                Optional.empty());
    }

    /**
     * The same recording (id, names, labels, rate, start) over the first {@code sampleCount} samples of {@code
     * arrays}: a live record's next snapshot. Cheaper than {@link #ofPrefix} for each APPEND: the names and labels
     * are this one's, not made again.
     */
    public Recording withPrefix(double[][] arrays, int sampleCount) {
        return new Recording(id, channelNames, startTimeSeconds, rateHz, columns(arrays, sampleCount), timeTitle,
                labels, startUnixMillis);
    }

    /** Heap columns over the first {@code sampleCount} values of each of {@code arrays}, taken over. */
    private static Column[] columns(double[][] arrays, int sampleCount) {
        Column[] columns = new Column[arrays.length];
        for (int c = 0; c < arrays.length; c++) {
            columns[c] = Column.of(arrays[c], sampleCount);
        }
        return columns;
    }

    /** Heap columns over {@code arrays}, taken over. */
    static Column[] columns(double[][] arrays) {
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

    /** The channel titles: the CSV header's fields as written, or {@code ch1}, {@code ch2}, ... without one. */
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
