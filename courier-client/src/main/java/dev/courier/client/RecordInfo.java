package dev.courier.client;

import dev.courier.protocol.ErrorCode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A record the server holds, as RECORDS lists it: its id, sampling rate, number of samples, the time of sample 0 on
 * its own axis (the first time in its CSV), the wall-clock start when its metadata gives one, the title of its CSV's
 * time column when the CSV had a header row, and its channels. Immutable.
 *
 * <p>Sample i is at {@code startTimeSeconds + i / rateHz} seconds: {@link #sampleTimeSeconds}, and the times a range
 * read prints. A range in seconds {@code [from, to)} is the samples whose times lie in it ({@link #sampleAtOrAfter}).
 *
 * @param rateHz           samples per second of every channel
 * @param sampleCount      samples per channel
 * @param startTimeSeconds time of sample 0, seconds
 * @param startUnixMillis  wall-clock time of sample 0, ms since the Unix epoch, when known
 * @param timeTitle        the CSV header's time column title; empty when the CSV had no header row
 * @param channels         numbered from 1, in order
 */
public record RecordInfo(String id, double rateHz, int sampleCount, double startTimeSeconds,
                         OptionalLong startUnixMillis, Optional<String> timeTitle, List<ChannelInfo> channels) {
    public RecordInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(startUnixMillis, "startUnixMillis");
        Objects.requireNonNull(timeTitle, "timeTitle");
        channels = List.copyOf(channels);
    }

    /**
     * One channel of a record.
     *
     * @param number numbered from 1
     * @param name   from the record's metadata sidecar or CSV header ({@code ch1}, ... without either)
     * @param unit   "" when not known
     * @param title  the column's title in the CSV header row as written ({@code ecg1 (mV)}); "" without one
     */
    public record ChannelInfo(int number, String name, String unit, String title) {
        public ChannelInfo {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(unit, "unit");
            Objects.requireNonNull(title, "title");
        }
    }

    /** The span the samples cover, seconds: {@code sampleCount / rateHz} (60 for 15000 samples at 250 Hz). */
    public double durationSeconds() {
        return sampleCount / rateHz;
    }

    /** The exact time of sample {@code index}, seconds; what the server's points answer with. */
    public double sampleTimeSeconds(long index) {
        return startTimeSeconds + index / rateHz;
    }

    /**
     * The first sample whose time is at or after {@code seconds}: 0 before the start, {@code sampleCount} past the
     * last sample. A range {@code [from, to)} in seconds is the samples {@code [sampleAtOrAfter(from),
     * sampleAtOrAfter(to))}.
     */
    public long sampleAtOrAfter(double seconds) {
        if (Double.isNaN(seconds)) {
            throw new IllegalArgumentException("time is not a number");
        }
        double estimate = Math.ceil((seconds - startTimeSeconds) * rateHz);
        long i = (long) Math.max(0, Math.min(sampleCount, estimate));
        // The estimate may be one off either way from rounding; the sample times decide.
        while (i > 0 && sampleTimeSeconds(i - 1) >= seconds) {
            i--;
        }
        while (i < sampleCount && sampleTimeSeconds(i) < seconds) {
            i++;
        }
        return i;
    }

    /**
     * The samples whose times lie in {@code [fromSeconds, toSeconds)}, as {@code {fromSample, toSample}}. The range
     * must lie in the record, from its start to {@code startTimeSeconds + durationSeconds()}: it is not clamped.
     *
     * @throws CourierException BAD_RANGE when it starts after it ends, TIME_OUT_OF_RANGE when it leaves the record
     */
    public long[] samplesBetween(double fromSeconds, double toSeconds) {
        if (Double.isNaN(fromSeconds) || Double.isNaN(toSeconds)) {
            throw new CourierException(ErrorCode.MALFORMED_REQUEST, "a range's times must be numbers");
        }
        if (fromSeconds > toSeconds) {
            throw new CourierException(ErrorCode.BAD_RANGE, "the range starts at " + fromSeconds
                    + " s, after its end " + toSeconds + " s");
        }
        double end = startTimeSeconds + durationSeconds();
        if (fromSeconds < startTimeSeconds || toSeconds > end) {
            throw new CourierException(ErrorCode.TIME_OUT_OF_RANGE, "[" + fromSeconds + ", " + toSeconds
                    + ") s is outside record " + id + ", which spans [" + startTimeSeconds + ", " + end + ") s");
        }
        return new long[] {sampleAtOrAfter(fromSeconds), sampleAtOrAfter(toSeconds)};
    }
}
