package dev.courier.client;

import java.util.Arrays;

/**
 * Counts values in ten bins over [-2, 2): edges -2.0, -1.6, ..., 1.6, 2.0. Values below -2 go to the first bin,
 * values at or above 2 to the last. A value equal to an edge belongs to the bin that starts at that edge.
 *
 * <p>Bins are found by comparing against the edges, never by dividing: {@code (v + 2) / 0.4} in floating point puts
 * many edge values of real data (such as -1.2) one bin too low. The edges are the doubles nearest to their decimal
 * spelling, the same doubles a parser produces from the data. Not thread-safe; merge per-thread instances.
 */
public final class BinnedHistogram {
    /** The bin edges, lowest first. */
    public static final double[] EDGES = {-2.0, -1.6, -1.2, -0.8, -0.4, 0.0, 0.4, 0.8, 1.2, 1.6, 2.0};
    public static final int BINS = EDGES.length - 1;

    private final long[] counts = new long[BINS];

    /** The bin {@code value} falls into. */
    public static int binOf(double value) {
        for (int i = BINS - 1; i > 0; i--) {
            if (value >= EDGES[i]) {
                return i;
            }
        }
        return 0;
    }

    public void add(double value) {
        counts[binOf(value)]++;
    }

    public void addAll(BinnedHistogram other) {
        for (int i = 0; i < BINS; i++) {
            counts[i] += other.counts[i];
        }
    }

    public long count(int bin) {
        return counts[bin];
    }

    public long total() {
        long t = 0;
        for (long c : counts) {
            t += c;
        }
        return t;
    }

    public long[] counts() {
        return counts.clone();
    }

    /** "[-2.0, -1.6)"; the first and last bins are open-ended. */
    public static String label(int bin) {
        String lo = bin == 0 ? "-inf" : String.valueOf(EDGES[bin]);
        String hi = bin == BINS - 1 ? "+inf" : String.valueOf(EDGES[bin + 1]);
        return "[" + lo + ", " + hi + ")";
    }

    @Override
    public String toString() {
        return Arrays.toString(counts);
    }
}
