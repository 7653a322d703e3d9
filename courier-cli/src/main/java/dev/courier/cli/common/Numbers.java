package dev.courier.cli.common;

import java.math.BigDecimal;

/**
 * How the CLI prints the doubles of records: the shortest decimal that reads back as the same double
 * ({@link Double#toString}'s digits), written plainly, without an exponent or a trailing {@code .0}: {@code 0},
 * {@code 0.004}, {@code -1.28}, {@code 0.0001}. That is the form the bundled data and {@code gen-data} write, so a
 * record printed whole reproduces its CSV byte for byte, and any value reads back exactly.
 *
 * <p>{@link #appendPlain} prints the same text without making a String for the common case: a value {@code v} that is
 * exactly {@code k / 10^d} (IEEE division, correctly rounded) for an integer {@code |k| < 10^15} and {@code d} up to
 * {@link #FAST_DIGITS}. The decimal {@code k·10^-d} then has at most 15 significant digits and rounds to {@code v};
 * two different decimals of at most 15 digits never round to one double, so it is the only such decimal and the
 * shortest, the one {@code Double.toString} picks, and its digits are written straight from {@code k}. Any other
 * value (more digits, NaN, infinities) goes through {@link #plain}. Stateless; safe from any thread.
 */
public final class Numbers {
    /** The most decimals the fast path tries: ECG data has 2 to 4, times 3 to 6. */
    static final int FAST_DIGITS = 9;
    private static final double[] POWERS_OF_TEN = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    /** Integers below 10^15: at most 15 significant digits, so the decimal is the only one that rounds to v. */
    private static final double MAX_FAST_INTEGER = 1e15;

    private Numbers() {
    }

    /** {@code v} as the shortest plain decimal that parses back to {@code v}; finite values only. */
    public static String plain(double v) {
        String s = Double.toString(v);
        if (s.indexOf('E') >= 0) {
            return new BigDecimal(s).stripTrailingZeros().toPlainString();
        }
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }

    /** Appends {@link #plain}{@code (v)} to {@code out}, the same characters, without a String in the common case. */
    public static StringBuilder appendPlain(StringBuilder out, double v) {
        double magnitude = Math.abs(v);
        for (int d = 0; d <= FAST_DIGITS; d++) {
            double scaled = magnitude * POWERS_OF_TEN[d];
            if (!(scaled < MAX_FAST_INTEGER)) {
                break; // too many digits, or NaN or infinite
            }
            double k = Math.rint(scaled);
            if (k / POWERS_OF_TEN[d] == magnitude) {
                if (Double.doubleToRawLongBits(v) < 0) {
                    out.append('-'); // -0.0 too, as Double.toString prints it
                }
                return appendDecimal(out, (long) k, d);
            }
        }
        return out.append(plain(v));
    }

    /** {@code k·10^-digits} in plain decimal, trailing zeros of the fraction dropped; k at least 0. */
    private static StringBuilder appendDecimal(StringBuilder out, long k, int digits) {
        while (digits > 0 && k % 10 == 0) {
            k /= 10;
            digits--;
        }
        if (digits == 0) {
            return out.append(k);
        }
        long unit = (long) POWERS_OF_TEN[digits];
        out.append(k / unit).append('.');
        long fraction = k % unit;
        for (long u = unit / 10; u > fraction && u > 1; u /= 10) {
            out.append('0'); // the fraction's leading zeros
        }
        return out.append(fraction);
    }
}
