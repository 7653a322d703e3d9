package dev.courier.protocol;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a RECORDS_RESULT says of one record: its id, sampling rate (Hz), number of samples per channel, the time of
 * sample 0 on the recording's own axis (seconds, the first time in its CSV), the wall-clock start when known (ms since
 * the Unix epoch), the title of its CSV's time column when the CSV had a header row, and its channels, numbered from 1
 * in list order.
 */
public record RecordEntry(String id, double rateHz, int sampleCount, double startTimeSeconds,
                          OptionalLong startUnixMillis, Optional<String> timeTitle, List<ChannelEntry> channels) {
    public RecordEntry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(startUnixMillis, "startUnixMillis");
        Objects.requireNonNull(timeTitle, "timeTitle");
        channels = List.copyOf(channels);
    }

    /** Bytes this entry takes in a RECORDS_RESULT frame: what a server counts to fill a frame and no more. */
    public int wireBytes() {
        int bytes = 1 + utf8(id) + 8 + 4 + 8 + 1 + 8 + 2 + utf8(timeTitle.orElse("")) + 2;
        for (ChannelEntry c : channels) {
            bytes += 2 + utf8(c.name()) + 2 + utf8(c.unit()) + 2 + utf8(c.title());
        }
        return bytes;
    }

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /**
     * One channel: its name and unit ("" when not known), and its column's title in the CSV header row as the file
     * wrote it ({@code ecg1 (mV)}), "" when the CSV had no header row.
     */
    public record ChannelEntry(String name, String unit, String title) {
        public ChannelEntry {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(unit, "unit");
            Objects.requireNonNull(title, "title");
        }
    }
}
