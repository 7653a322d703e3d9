package dev.courier.server.points;

/**
 * Exact decimal arithmetic on doubles: a fast parser for plain decimals that returns what
 * {@code Double.parseDouble} returns, and the choice of a scaled-integer encoding that reproduces a column bit for
 * bit. Both rest on one fact: for an integer {@code k} below 2<sup>53</sup> and {@code d} up to 22, {@code k} and
 * {@code 10^d} are exact doubles and IEEE division rounds {@code k / 10^d} correctly, to the double nearest the
 * decimal, which is also what a correct decimal parser returns. Stateless; safe from any thread.
 */
final class Decimals {
    /** The largest number of decimal digits after the point a scaled column may have. */
    static final int MAX_SCALED_DIGITS = 9;

    private static final double[] POWERS_OF_TEN = {
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
            1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    private static final long MAX_EXACT_INTEGER = 1L << 53;

    /** How a column of doubles is stored: {@link ColumnFile}'s encoding and, for scaled ones, the decimal digits. */
    record Encoding(byte encoding, int decimalDigits) {
        static final Encoding FLOAT64 = new Encoding(ColumnFile.ENCODING_FLOAT64, 0);
    }

    private Decimals() {
    }

    /** {@code 10^digits}, exact, for digits 0 to 22. */
    static double powerOfTen(int digits) {
        return POWERS_OF_TEN[digits];
    }

    /**
     * The value of a plain decimal {@code -?[0-9]*(.[0-9]*)?} with at least one digit, in ASCII bytes
     * {@code [from, to)}, equal bit for bit to {@code Double.parseDouble} of the same text; NaN for anything else
     * (exponents, signs other than a leading minus, spaces, too many digits), which the caller hands to
     * {@code Double.parseDouble}.
     */
    static double parsePlain(byte[] bytes, int from, int to) {
        int i = from;
        boolean negative = false;
        if (i < to && bytes[i] == '-') {
            negative = true;
            i++;
        }
        long k = 0;
        int digits = 0;
        int fractionDigits = 0;
        boolean point = false;
        for (; i < to; i++) {
            int c = bytes[i];
            if (c >= '0' && c <= '9') {
                if (k >= 100_000_000_000_000_000L) {
                    return Double.NaN;
                }
                k = k * 10 + (c - '0');
                digits++;
                if (point) {
                    fractionDigits++;
                }
            } else if (c == '.' && !point) {
                point = true;
            } else {
                return Double.NaN;
            }
        }
        if (digits == 0 || fractionDigits >= POWERS_OF_TEN.length || k > MAX_EXACT_INTEGER) {
            return Double.NaN;
        }
        double v = fractionDigits == 0 ? (double) k : k / POWERS_OF_TEN[fractionDigits];
        return negative ? -v : v;
    }

    /**
     * The most compact encoding that gives back {@code values[0, count)} bit for bit: {@code int16} or
     * {@code int32} of the values times {@code 10^d} for the smallest {@code d} that makes them all integers,
     * else {@code float64}. Negative zero and values with more than {@link #MAX_SCALED_DIGITS} decimals are kept
     * as {@code float64}.
     */
    static Encoding choose(double[] values, int count) {
        int digits = 0;
        for (int i = 0; i < count; i++) {
            while (!scalesExactly(values[i], digits)) {
                if (++digits > MAX_SCALED_DIGITS) {
                    return Encoding.FLOAT64;
                }
            }
        }
        // Exact at fewer digits implies exact at more in exact arithmetic; check again in doubles anyway.
        double scale = POWERS_OF_TEN[digits];
        long min = 0;
        long max = 0;
        for (int i = 0; i < count; i++) {
            if (!scalesExactly(values[i], digits)) {
                return Encoding.FLOAT64;
            }
            long k = (long) Math.rint(values[i] * scale);
            min = Math.min(min, k);
            max = Math.max(max, k);
        }
        if (min >= Short.MIN_VALUE && max <= Short.MAX_VALUE) {
            return new Encoding(ColumnFile.ENCODING_INT16_DECIMAL, digits);
        }
        if (min >= Integer.MIN_VALUE && max <= Integer.MAX_VALUE) {
            return new Encoding(ColumnFile.ENCODING_INT32_DECIMAL, digits);
        }
        return Encoding.FLOAT64;
    }

    /** Whether {@code (double) k / 10^digits}, with {@code k} the nearest integer to {@code v * 10^digits}, is v. */
    private static boolean scalesExactly(double v, int digits) {
        double scaled = Math.rint(v * POWERS_OF_TEN[digits]);
        if (!(Math.abs(scaled) <= Integer.MAX_VALUE)) {
            return false;
        }
        double back = (double) (long) scaled / POWERS_OF_TEN[digits];
        return Double.doubleToRawLongBits(back) == Double.doubleToRawLongBits(v);
    }
}
