package dev.courier.client;

import java.util.Arrays;

/**
 * Counts values in the bins of a {@link BinEdges} (by default ten over [-2, 2)). Values below the lowest edge go to
 * the first bin, values at or above the highest to the last; a value equal to an edge belongs to the bin that starts
 * at that edge.
 *
 * <p>Bins are found by comparing against the edges, never by dividing: {@code (v + 2) / 0.4} in floating point puts
 * many edge values of real data (such as -1.2) one bin too low. Not thread-safe; merge per-thread instances.
 */
public final class BinnedHistogram {
    private final BinEdges edges;
    private final long[] counts;

    public BinnedHistogram(BinEdges edges) {
        this.edges = edges;
        this.counts = new long[edges.bins()];
    }

    /** Ten bins over [-2, 2). */
    public BinnedHistogram() {
        this(BinEdges.DEFAULT);
    }

    public BinEdges edges() {
        return edges;
    }

    public void add(double value) {
        counts[edges.binOf(value)]++;
    }

    /** Adds the counts of {@code other}, which must have the same bins. */
    public void addAll(BinnedHistogram other) {
        if (!other.edges.equals(edges)) {
            throw new IllegalArgumentException("histograms of " + edges + " and " + other.edges + " do not add");
        }
        for (int i = 0; i < counts.length; i++) {
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

    @Override
    public String toString() {
        return Arrays.toString(counts);
    }
}
