package dev.courier.client;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * Equal-width bins over {@code [low, high)}: {@code count} bins whose edges are {@code low + i (high - low) / count}
 * computed in decimal and then rounded to the nearest double, so an edge is the double a parser gives for its
 * decimal spelling (-0.8, not -2 + 3 x 0.4 = -0.7999999999999998) and data values equal to an edge fall in the bin
 * that starts there. Values below {@code low} count in the first bin, values at or above {@code high} in the last.
 * Immutable and thread-safe.
 */
public final class BinEdges {
    /** The old system's bins: ten over [-2, 2), edges -2.0, -1.6, ..., 2.0. */
    public static final BinEdges DEFAULT = uniform(10, -2, 2);
    /** The most bins a histogram may have: a table or chart of more says nothing more. */
    public static final int MAX_BINS = 10_000;

    private final double low;
    private final double high;
    private final double[] edges;

    private BinEdges(double low, double high, double[] edges) {
        this.low = low;
        this.high = high;
        this.edges = edges;
    }

    /**
     * {@code count} bins over {@code [low, high)}.
     *
     * @throws IllegalArgumentException if count is not in [1, {@link #MAX_BINS}], or low is not below high, or either
     *                                  is not finite
     */
    public static BinEdges uniform(int count, double low, double high) {
        if (count < 1 || count > MAX_BINS) {
            throw new IllegalArgumentException("the number of bins must be between 1 and " + MAX_BINS + ", not "
                    + count);
        }
        if (!Double.isFinite(low) || !Double.isFinite(high) || !(low < high)) {
            throw new IllegalArgumentException("a bin range needs finite LO < HI, not [" + low + ", " + high + ")");
        }
        BigDecimal lo = new BigDecimal(Double.toString(low));
        BigDecimal width = new BigDecimal(Double.toString(high)).subtract(lo);
        double[] edges = new double[count + 1];
        for (int i = 0; i <= count; i++) {
            edges[i] = lo.add(width.multiply(BigDecimal.valueOf(i)).divide(BigDecimal.valueOf(count),
                    MathContext.DECIMAL128)).doubleValue();
        }
        return new BinEdges(low, high, edges);
    }

    public int bins() {
        return edges.length - 1;
    }

    /** The {@link #bins()} + 1 edges, lowest first. */
    public double[] edges() {
        return edges.clone();
    }

    public double edge(int i) {
        return edges[i];
    }

    /** The bin {@code value} falls into, found by comparing against the edges, never by dividing. */
    public int binOf(double value) {
        // The last edge i with edges[i] <= value, among the bins' lower edges 1..bins-1; else bin 0 (also NaN).
        int lo = 1;
        int hi = bins() - 1;
        int bin = 0;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (value >= edges[mid]) {
                bin = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return bin;
    }

    /** "[-2.0, -1.6)"; the first bin is open below and the last above, as values outside count in them. */
    public String label(int bin) {
        String from = bin == 0 ? "-inf" : String.valueOf(edges[bin]);
        String to = bin == bins() - 1 ? "+inf" : String.valueOf(edges[bin + 1]);
        return "[" + from + ", " + to + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BinEdges b && Double.compare(low, b.low) == 0 && Double.compare(high, b.high) == 0
                && bins() == b.bins();
    }

    @Override
    public int hashCode() {
        return Double.hashCode(low) * 31 + Double.hashCode(high) * 17 + bins();
    }

    @Override
    public String toString() {
        return bins() + " bins over [" + low + ", " + high + ")";
    }
}
