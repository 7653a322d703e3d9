package dev.courier.journal;

import dev.courier.protocol.ByteRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A set of byte ranges, merged as they are added: which parts of a file have arrived. Not thread-safe.
 */
public final class RangeSet {
    private final TreeMap<Long, Long> startToEnd = new TreeMap<>();
    private long totalBytes;

    public void add(long offsetBytes, long lengthBytes) {
        if (lengthBytes <= 0) {
            return;
        }
        long start = offsetBytes;
        long end = offsetBytes + lengthBytes;
        Map.Entry<Long, Long> before = startToEnd.floorEntry(start);
        if (before != null && before.getValue() >= start) {
            start = before.getKey();
            end = Math.max(end, before.getValue());
            remove(before.getKey());
        }
        Map.Entry<Long, Long> next = startToEnd.ceilingEntry(start);
        while (next != null && next.getKey() <= end) {
            end = Math.max(end, next.getValue());
            remove(next.getKey());
            next = startToEnd.ceilingEntry(start);
        }
        startToEnd.put(start, end);
        totalBytes += end - start;
    }

    private void remove(long start) {
        Long end = startToEnd.remove(start);
        totalBytes -= end - start;
    }

    /** The end of the covered range that contains {@code offsetBytes}, or -1 when it is not covered. */
    public long endOfRangeAt(long offsetBytes) {
        Map.Entry<Long, Long> e = startToEnd.floorEntry(offsetBytes);
        return e != null && e.getValue() > offsetBytes ? e.getValue() : -1;
    }

    /** True when every byte of {@code [offsetBytes, offsetBytes + lengthBytes)} is covered. */
    public boolean contains(long offsetBytes, long lengthBytes) {
        return lengthBytes <= 0 || endOfRangeAt(offsetBytes) >= offsetBytes + lengthBytes;
    }

    /**
     * True when {@code [offsetBytes, offsetBytes + lengthBytes)} overlaps or adjoins a covered range, so adding it
     * would not make one range more.
     */
    public boolean touches(long offsetBytes, long lengthBytes) {
        Map.Entry<Long, Long> last = startToEnd.floorEntry(offsetBytes + lengthBytes);
        return last != null && last.getValue() >= offsetBytes;
    }

    /** The number of separate ranges. */
    public int count() {
        return startToEnd.size();
    }

    /** Bytes covered. */
    public long totalBytes() {
        return totalBytes;
    }

    /** True when every byte of {@code [0, sizeBytes)} is covered. */
    public boolean covers(long sizeBytes) {
        if (sizeBytes == 0) {
            return true;
        }
        Map.Entry<Long, Long> first = startToEnd.firstEntry();
        return first != null && first.getKey() == 0 && first.getValue() >= sizeBytes;
    }

    /** The covered ranges, in order. */
    public List<ByteRange> ranges() {
        List<ByteRange> out = new ArrayList<>(startToEnd.size());
        startToEnd.forEach((s, e) -> out.add(new ByteRange(s, e - s)));
        return out;
    }

    /** What is missing of {@code [0, sizeBytes)}, cut into pieces of at most {@code pieceBytes}. */
    public List<ByteRange> missing(long sizeBytes, int pieceBytes) {
        List<ByteRange> out = new ArrayList<>();
        long at = 0;
        for (Map.Entry<Long, Long> e : startToEnd.entrySet()) {
            cut(at, Math.min(e.getKey(), sizeBytes), pieceBytes, out);
            at = Math.max(at, e.getValue());
        }
        cut(at, sizeBytes, pieceBytes, out);
        return out;
    }

    private static void cut(long from, long to, int pieceBytes, List<ByteRange> out) {
        for (long s = from; s < to; s += pieceBytes) {
            out.add(new ByteRange(s, Math.min(pieceBytes, to - s)));
        }
    }
}
