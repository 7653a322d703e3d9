package dev.courier.cli.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Numbers#appendPlain} prints exactly what {@link Numbers#plain} prints (the text CSV output has always had,
 * so that a whole record printed is its source file): for every value an i16 decimal column can hold (each k at each
 * digit count 0 to 9, the values of the bundled set and of gen-data among them), for the sample times of common
 * rates, and for doubles with all their digits, where it falls back to {@code Double.toString}.
 */
class NumbersTest {
    private static void assertSameText(double v) {
        String expected = Numbers.plain(v);
        String got = Numbers.appendPlain(new StringBuilder("x"), v).substring(1);
        if (!got.equals(expected)) {
            assertThat(got).as("%s (bits %x)", expected, Double.doubleToRawLongBits(v)).isEqualTo(expected);
        }
    }

    @Test
    void everyI16DecimalAtEveryDigitCountPrintsAsPlainDoes() {
        for (int digits = 0; digits <= 9; digits++) {
            for (int k = Short.MIN_VALUE; k <= Short.MAX_VALUE; k++) {
                assertSameText(Double.parseDouble(BigDecimal.valueOf(k, digits).toPlainString()));
            }
        }
    }

    @Test
    void sampleTimesOfCommonRatesPrintAsPlainDoes() {
        for (int rate : new int[] {250, 360, 500, 1000, 128}) {
            for (long i = 0; i < 2_000_000; i += 7) {
                assertSameText(0.0 + i / (double) rate);
            }
        }
    }

    @Test
    void doublesWithAllTheirDigitsAndTheOddOnesPrintAsPlainDoes() {
        SplittableRandom random = new SplittableRandom(14);
        for (int i = 0; i < 200_000; i++) {
            assertSameText(Double.longBitsToDouble(random.nextLong()));
            assertSameText(random.nextDouble() * 100 - 50);
        }
        for (double v : new double[] {0.0, -0.0, 1e-3, 9.99e-4, 1e7, 1e15, 1e16, 123456789012345.6, Double.MIN_VALUE,
                Double.MAX_VALUE, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0.1 + 0.2}) {
            assertSameText(v);
        }
    }
}
