package dev.courier.cli.common;

import java.math.BigDecimal;

/**
 * How the CLI prints the doubles of records: the shortest decimal that reads back as the same double
 * ({@link Double#toString}'s digits), written plainly, without an exponent or a trailing {@code .0}: {@code 0},
 * {@code 0.004}, {@code -1.28}, {@code 0.0001}. That is the form the bundled data and {@code gen-data} write, so a
 * record printed whole reproduces its CSV byte for byte, and any value reads back exactly.
 */
public final class Numbers {
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
}
