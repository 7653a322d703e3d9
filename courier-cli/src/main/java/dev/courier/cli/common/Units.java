package dev.courier.cli.common;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Sizes and durations as people write them on a command line, and the picocli converters that read them into every
 * size and duration option, so {@code --chunk-size 1M} and {@code --timeout-ms 10s} mean what they say.
 *
 * <p>Sizes: a number with an optional binary unit, {@code K} = 1024, {@code M} = 1024², {@code G} = 1024³,
 * {@code T} = 1024⁴ (case ignored; {@code KiB}, {@code KB}, {@code B} accepted and read the same way); a fraction is
 * allowed when the result is whole bytes ({@code 1.5K}). Durations: a number with {@code ns}, {@code us},
 * {@code ms}, {@code s}, {@code m}, {@code h} or {@code d}; a plain number is in the unit the option's name says
 * ({@code --timeout-ms 500} is 500 ms, {@code --duration 10} is 10 s), as before units were accepted.
 *
 * <p>picocli reports a {@link TypeConversionException} as "Invalid value for option '--NAME': ...", naming the
 * option; the messages here say what was expected.
 */
public final class Units {
    /** What the help of a size option says about units. */
    public static final String SIZE_HELP = "Units K, M, G (1024, 1024², 1024³).";
    /** What the help of a duration option says about units. */
    public static final String DURATION_HELP = "Units ms, s, m, h.";

    private static final Pattern SIZE = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*([kmgt]?)(?:i?b)?",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern DURATION = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*(ns|us|ms|s|m|h|d)?",
            Pattern.CASE_INSENSITIVE);
    /** Digits that always parse as a long (10^18 - 1 < 2^63); a longer number takes the BigDecimal path. */
    private static final int LONG_DIGITS = 18;

    private Units() {
    }

    /** The bytes {@code text} names ({@code 64K} is 65,536). */
    public static long bytes(String text) {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            throw new TypeConversionException("'" + text + "' is not a size (for example 512, 64K, 1M, 2G)");
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "" -> 0;
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 40;
        };
        long whole = whole(m.group(1), 1L << shift);
        if (whole >= 0) {
            return whole;
        }
        BigDecimal value = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(1L << shift));
        try {
            return value.longValueExact();
        } catch (ArithmeticException e) {
            throw new TypeConversionException("'" + text + "' is not a whole number of bytes that fits 63 bits");
        }
    }

    /**
     * {@code number} (digits, maybe a fraction) times {@code unit}, when it is whole and fits a long; else -1, and the
     * caller does it in {@link BigDecimal}. Every default value and most options are whole numbers: this keeps
     * {@code BigDecimal}'s class initialisation (a tenth of a short command's start, by JFR samples) off their path.
     */
    private static long whole(String number, long unit) {
        if (number.indexOf('.') >= 0 || number.length() > LONG_DIGITS) {
            return -1;
        }
        long n = Long.parseLong(number);
        long high = Math.multiplyHigh(n, unit);
        long product = n * unit;
        return high == 0 && product >= 0 ? product : -1;
    }

    /** The nanoseconds {@code text} names; a plain number counts {@code plainUnitNanos} each. */
    static BigDecimal nanos(String text, long plainUnitNanos) {
        Written d = duration(text, plainUnitNanos);
        return new BigDecimal(d.number()).multiply(BigDecimal.valueOf(d.unitNanos()));
    }

    /** A duration as written: its number (digits, maybe a fraction) and the nanoseconds of its unit. */
    private record Written(String number, long unitNanos) {
    }

    private static Written duration(String text, long plainUnitNanos) {
        Matcher m = DURATION.matcher(text.strip());
        if (!m.matches()) {
            throw new TypeConversionException("'" + text + "' is not a duration (for example 500ms, 10s, 2m)");
        }
        String unit = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
        long unitNanos = switch (unit) {
            case "" -> plainUnitNanos;
            case "ns" -> 1L;
            case "us" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> 86_400_000_000_000L;
        };
        return new Written(m.group(1), unitNanos);
    }

    /** The whole milliseconds {@code text} names, rounded up so that a duration above zero stays above zero. */
    public static long millis(String text) {
        Written d = duration(text, 1_000_000L);
        long nanos = whole(d.number(), d.unitNanos());
        if (nanos >= 0) {
            return Math.ceilDiv(nanos, 1_000_000L);
        }
        BigDecimal ms = nanos(text, 1_000_000L).divide(BigDecimal.valueOf(1_000_000L), 0, RoundingMode.CEILING);
        try {
            return ms.longValueExact();
        } catch (ArithmeticException e) {
            throw new TypeConversionException("'" + text + "' is longer than a long's milliseconds");
        }
    }

    /** The seconds {@code text} names, fractions kept. */
    public static double seconds(String text) {
        return nanos(text, 1_000_000_000L).divide(BigDecimal.valueOf(1_000_000_000L)).doubleValue();
    }

    private static int toInt(long value, String text) {
        if (value > Integer.MAX_VALUE) {
            throw new TypeConversionException("'" + text + "' is too large here (at most " + Integer.MAX_VALUE + ")");
        }
        return (int) value;
    }

    /** picocli: a size option held in a {@code long}. */
    public static final class Bytes implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return bytes(value);
        }
    }

    /** picocli: a size option held in an {@code int}. */
    public static final class IntBytes implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return toInt(bytes(value), value);
        }
    }

    /** picocli: a duration option in milliseconds held in a {@code long}; a plain number is milliseconds. */
    public static final class Millis implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return millis(value);
        }
    }

    /** picocli: a duration option in milliseconds held in an {@code int}; a plain number is milliseconds. */
    public static final class IntMillis implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return toInt(millis(value), value);
        }
    }

    /** picocli: a duration option in seconds held in a {@code double}; a plain number is seconds. */
    public static final class Seconds implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return seconds(value);
        }
    }
}
