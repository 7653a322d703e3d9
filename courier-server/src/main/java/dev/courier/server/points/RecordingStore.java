package dev.courier.server.points;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.PointBatchReply;
import dev.courier.protocol.PointBatchRequest;
import dev.courier.protocol.PointReply;
import dev.courier.protocol.PointRequest;
import dev.courier.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Every recording the server holds, answering point requests. Immutable; lookups run on the event loop.
 */
public final class RecordingStore {
    private final Map<String, Recording> byId;
    private final int maxBatchPoints;

    public RecordingStore(Collection<Recording> recordings, int maxBatchPoints) {
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

    public PointReply answer(PointRequest request) {
        int id = request.requestId();
        Recording r = recording(request.record(), id);
        int index = r.sampleIndex(request.timeSeconds(), id);
        double value = r.value(request.channel(), index, id);
        return new PointReply(id, value, index, r.sampleTimeSeconds(index));
    }

    public PointBatchReply answer(PointBatchRequest request) {
        int id = request.requestId();
        double[] times = request.timesSeconds();
        if (times.length > maxBatchPoints) {
            throw new ProtocolException(ErrorCode.BATCH_TOO_LARGE, id,
                    "batch of " + times.length + " points exceeds the maximum of " + maxBatchPoints);
        }
        Recording r = recording(request.record(), id);
        Column column = r.column(request.channel(), id);
        int[] indexes = new int[times.length];
        double[] sampleTimes = new double[times.length];
        double[] values = new double[times.length];
        for (int i = 0; i < times.length; i++) {
            int index = r.sampleIndex(times[i], id);
            indexes[i] = index;
            sampleTimes[i] = r.sampleTimeSeconds(index);
            values[i] = column.get(index);
        }
        return new PointBatchReply(id, indexes, sampleTimes, values);
    }

    /**
     * The recording with id {@code record}.
     *
     * @throws ProtocolException UNKNOWN_RECORD, carrying {@code requestId}, naming the records this server holds
     */
    public Recording recording(String record, int requestId) {
        Recording r = byId.get(record);
        if (r == null) {
            throw new ProtocolException(ErrorCode.UNKNOWN_RECORD, requestId,
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
