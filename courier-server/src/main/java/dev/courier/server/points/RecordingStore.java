package dev.courier.server.points;

import dev.courier.protocol.EnvelopeReply;
import dev.courier.protocol.EnvelopeRequest;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Failure;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.RecordEntry;
import dev.courier.protocol.RecordsReply;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Every recording the server holds, by id, and the requests on them: points, the listing of records (RECORDS), range
 * reads (RANGE_STREAM, as {@link RangeRows}) and envelopes (ENVELOPE). Each checks its request against the rules of
 * docs/protocol.md and throws a typed {@link Failure}. Immutable; safe from any thread (points, listings and range
 * rows are made on the event loop, envelopes off it).
 */
public final class RecordingStore {
    /**
     * The most buckets an ENVELOPE may ask for: an envelope is for looking, and no screen is 10,000 pixels wide; more is
     * TOO_MANY_BUCKETS, not capped, so a client never mistakes a coarser answer for the one it asked for.
     */
    public static final int MAX_ENVELOPE_BUCKETS = 10_000;
    /** Bytes of a RECORDS_RESULT payload before its entries: total u32, count u32. */
    private static final int RECORDS_FIXED_BYTES = 8;
    /** Bytes of an ENVELOPE_RESULT payload before its values: buckets u32, channels u16. */
    private static final int ENVELOPE_FIXED_BYTES = 6;

    private final Map<String, Recording> byId;
    private final int maxBatchPoints;
    /** What RECORDS lists, in {@link #recordings()} order. */
    private final List<RecordEntry> entries;
    /** Looked up when a record is not a recorded one: the live records, listed after the recorded ones. */
    private final LiveRecordings live;

    public RecordingStore(Collection<Recording> recordings, int maxBatchPoints) {
        this(recordings, maxBatchPoints, LiveRecordings.NONE);
    }

    private RecordingStore(Collection<Recording> recordings, int maxBatchPoints, LiveRecordings live) {
        this.live = live;
        // A HashMap, never changed after this. The immutable Map.of/toUnmodifiableMap kind probes linearly, and with
        // the dense String hashes of ids "1" to "1000" a lookup took 0.3 us more (answer() 0.5 us instead of 0.19).
        Map<String, Recording> map = new HashMap<>(Math.max(16, recordings.size() * 2));
        for (Recording r : recordings) {
            if (map.putIfAbsent(r.id(), r) != null) {
                throw new IllegalArgumentException("two recordings with id '" + r.id() + "'");
            }
        }
        this.byId = map;
        this.maxBatchPoints = maxBatchPoints;
        List<RecordEntry> list = new ArrayList<>(map.size());
        for (Recording r : recordings()) {
            list.add(entry(r));
        }
        this.entries = List.copyOf(list);
    }

    /** The same recorded records, and {@code live} ones too (a server with {@code --live}). */
    public RecordingStore withLive(LiveRecordings liveRecords) {
        return new RecordingStore(byId.values(), maxBatchPoints, liveRecords);
    }

    /** Whether {@code id} is one of the recorded (read-only) records. */
    public boolean isRecorded(String id) {
        return byId.containsKey(id);
    }

    private static RecordEntry entry(Recording r) {
        List<RecordEntry.ChannelEntry> channels = new ArrayList<>(r.channelCount());
        for (int c = 0; c < r.channelCount(); c++) {
            Recording.Label label = r.labels().get(c);
            channels.add(new RecordEntry.ChannelEntry(label.name(), label.unit(),
                    r.timeTitle().isPresent() ? r.channelNames().get(c) : ""));
        }
        return new RecordEntry(r.id(), r.rateHz(), r.sampleCount(), r.startTimeSeconds(), r.startUnixMillis(),
                r.timeTitle(), channels);
    }

    /**
     * RECORDS: the entries from the {@code startIndex}-th on, as many as fit in a frame of {@code maxFrameBytes}.
     *
     * @throws Failure LISTING_TOO_LARGE when the first of them alone does not fit
     */
    public RecordsReply records(int requestId, int startIndex, int maxFrameBytes) {
        long room = (long) maxFrameBytes - FrameDescriptor.MIN_FRAME_LENGTH - RECORDS_FIXED_BYTES;
        List<RecordEntry> entries = withLiveEntries();
        List<RecordEntry> page = new ArrayList<>();
        for (int i = startIndex; i < entries.size(); i++) {
            int bytes = entries.get(i).wireBytes();
            if (bytes > room) {
                if (page.isEmpty()) {
                    throw new Failure(ErrorCode.LISTING_TOO_LARGE, "record '" + entries.get(i).id() + "' takes "
                            + bytes + " bytes, more than a frame of " + maxFrameBytes + " can hold");
                }
                break;
            }
            room -= bytes;
            page.add(entries.get(i));
        }
        return new RecordsReply(requestId, entries.size(), page);
    }

    /** The recorded records' entries, then the live records' as they are now, sorted by id. */
    private List<RecordEntry> withLiveEntries() {
        List<Recording> now = live.all();
        if (now.isEmpty()) {
            return entries;
        }
        List<Recording> sorted = new ArrayList<>(now);
        sorted.sort(Comparator.comparing(Recording::id, RecordingStore::compareIds));
        List<RecordEntry> all = new ArrayList<>(entries.size() + sorted.size());
        all.addAll(entries);
        for (Recording r : sorted) {
            all.add(entry(r));
        }
        return all;
    }

    /**
     * RANGE_STREAM's rows: samples {@code fromSample, fromSample + step, ...} below {@code toSample} of
     * {@code channels} (numbered from 1) of {@code record}.
     *
     * @throws Failure UNKNOWN_RECORD, UNKNOWN_CHANNEL, MALFORMED_REQUEST (a channel twice, a step below 1),
     *                 BAD_RANGE (from after to) or TIME_OUT_OF_RANGE (to past the end)
     */
    public RangeRows rows(String record, long fromSample, long toSample, int step, int[] channels) {
        Recording r = recording(record);
        Column[] columns = columns(r, channels);
        if (step < 1) {
            throw new Failure(ErrorCode.MALFORMED_REQUEST, "step " + Integer.toUnsignedString(step)
                    + " is not in 1 .. 2^31-1");
        }
        checkRange(r, fromSample, toSample);
        return new RangeRows(columns, fromSample, toSample, step);
    }

    /**
     * ENVELOPE: min, max, first and last of each bucket of the range, for each channel asked for, computed from the
     * columns in one pass; the answer must fit in a frame of {@code maxFrameBytes}.
     *
     * @throws Failure as {@link #rows}, and TOO_MANY_BUCKETS above {@link #MAX_ENVELOPE_BUCKETS} or a frame,
     *                 MALFORMED_REQUEST for no bucket
     */
    public EnvelopeReply envelope(EnvelopeRequest q, int maxFrameBytes) {
        Recording r = recording(q.record());
        Column[] columns = columns(r, q.channels());
        if (q.buckets() == 0) {
            throw new Failure(ErrorCode.MALFORMED_REQUEST, "an envelope needs at least one bucket");
        }
        if (Integer.compareUnsigned(q.buckets(), MAX_ENVELOPE_BUCKETS) > 0) {
            throw new Failure(ErrorCode.TOO_MANY_BUCKETS, Integer.toUnsignedString(q.buckets())
                    + " buckets exceed the maximum of " + MAX_ENVELOPE_BUCKETS + "; ask for at most that many");
        }
        checkRange(r, q.fromSample(), q.toSample());
        int buckets = EnvelopeRequest.bucketCount(q.fromSample(), q.toSample(), q.buckets());
        long frameBytes = FrameDescriptor.MIN_FRAME_LENGTH + ENVELOPE_FIXED_BYTES
                + (long) buckets * columns.length * EnvelopeReply.VALUES_PER_BUCKET * Double.BYTES;
        if (frameBytes > maxFrameBytes) {
            throw new Failure(ErrorCode.TOO_MANY_BUCKETS, buckets + " buckets of " + columns.length
                    + " channels take " + frameBytes + " bytes, more than a frame of " + maxFrameBytes
                    + "; ask for fewer buckets or channels");
        }
        return new EnvelopeReply(q.requestId(), buckets, columns.length,
                Envelope.compute(columns, q.fromSample(), q.toSample(), buckets));
    }

    /** The columns of {@code channels}, each named once. */
    private static Column[] columns(Recording r, int[] channels) {
        Column[] columns = new Column[channels.length];
        for (int i = 0; i < channels.length; i++) {
            columns[i] = r.column(channels[i]);
            for (int j = 0; j < i; j++) {
                if (channels[j] == channels[i]) {
                    throw new Failure(ErrorCode.MALFORMED_REQUEST, "channel " + channels[i]
                            + " is asked for twice; name each channel once");
                }
            }
        }
        return columns;
    }

    /**
     * A range {@code [from, to)} of sample indexes must lie in the recording: past the end is an error, not clamped,
     * as wfdb-python's {@code rdrecord(sampto=...)} refuses it, so a caller never takes a shorter answer for the
     * whole.
     */
    private static void checkRange(Recording r, long from, long to) {
        if (from > to) {
            throw new Failure(ErrorCode.BAD_RANGE, "the range starts at sample " + from + ", after its end " + to);
        }
        if (to > r.sampleCount()) {
            throw new Failure(ErrorCode.TIME_OUT_OF_RANGE, "samples [" + from + ", " + to + ") run past the end of"
                    + " record " + r.id() + ", which has samples 0 to " + (r.sampleCount() - 1));
        }
    }

    /** Recordings sorted by id, numerically where ids are numbers. */
    public List<Recording> recordings() {
        List<Recording> list = new ArrayList<>(byId.values());
        list.sort(Comparator.comparing(Recording::id, RecordingStore::compareIds));
        return list;
    }

    public int size() {
        return byId.size();
    }

    /**
     * The samples of {@code record}'s {@code channel} nearest each of {@code timesSeconds}, in the same order.
     *
     * @throws Failure BATCH_TOO_LARGE, UNKNOWN_RECORD, UNKNOWN_CHANNEL, TIME_OUT_OF_RANGE or MALFORMED_REQUEST
     */
    public Samples samples(String record, int channel, double[] timesSeconds) {
        if (timesSeconds.length > maxBatchPoints) {
            throw new Failure(ErrorCode.BATCH_TOO_LARGE,
                    "batch of " + timesSeconds.length + " points exceeds the maximum of " + maxBatchPoints);
        }
        Recording r = recording(record);
        Column column = r.column(channel);
        int[] indexes = new int[timesSeconds.length];
        double[] sampleTimes = new double[timesSeconds.length];
        double[] values = new double[timesSeconds.length];
        for (int i = 0; i < timesSeconds.length; i++) {
            int index = r.sampleIndex(timesSeconds[i]);
            indexes[i] = index;
            sampleTimes[i] = r.sampleTimeSeconds(index);
            values[i] = column.get(index);
        }
        return new Samples(indexes, sampleTimes, values);
    }

    /** Samples of one channel: index, exact time and value of each, in parallel arrays of one length. */
    public record Samples(int[] indexes, double[] timesSeconds, double[] values) {
    }

    /**
     * The recording with id {@code record}.
     *
     * @throws Failure UNKNOWN_RECORD, naming the records this server holds
     */
    public Recording recording(String record) {
        Recording r = byId.get(record);
        if (r == null) {
            r = live.find(record);
        }
        if (r == null) {
            throw new Failure(ErrorCode.UNKNOWN_RECORD,
                    "no record '" + record + "' (this server holds " + describeIds() + ")");
        }
        return r;
    }

    private String describeIds() {
        List<Recording> all = recordings();
        if (all.isEmpty()) {
            return "no records";
        }
        if (all.size() <= 3) {
            return all.stream().map(Recording::id).collect(Collectors.joining(", "));
        }
        return all.size() + " records, " + all.getFirst().id() + " to " + all.getLast().id();
    }

    static int compareIds(String a, String b) {
        boolean an = isNumber(a);
        boolean bn = isNumber(b);
        if (an && bn) {
            int c = Integer.compare(a.length(), b.length());
            return c != 0 ? c : a.compareTo(b);
        }
        if (an != bn) {
            return an ? -1 : 1;
        }
        return a.compareTo(b);
    }

    private static boolean isNumber(String s) {
        return !s.isEmpty() && s.length() < 10 && s.chars().allMatch(Character::isDigit);
    }
}
