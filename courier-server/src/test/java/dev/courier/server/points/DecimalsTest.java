package dev.courier.server.points;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DecimalsTest {
    private static double parsePlain(String s) {
        byte[] b = ("x" + s + "y").getBytes(StandardCharsets.US_ASCII);
        return Decimals.parsePlain(b, 1, b.length - 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-0", "0.", ".5", "-.5", "5.", "-0.295", "0.004", "3599.996", "0.1", "0.2",
            "0.30000000000000004", "9007199254740992", "9007199254740991", "123456789012345678",
            "0.0000000000000000000001", "1.7976931348623157", "000123.4500", "2.2250738585072014",
            "4.9", "0.3", "1.0000000000000002", "1.00000000000000011102230246251565"})
    void plainDecimalsParseToTheSameBitsAsParseDouble(String text) {
        double fast = parsePlain(text);
        if (!Double.isNaN(fast)) {
            assertThat(Double.doubleToRawLongBits(fast)).as(text)
                    .isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(text)));
        }
    }

    @Test
    void commonDecimalsTakeTheFastPath() {
        assertThat(parsePlain("-0.295")).isEqualTo(-0.295);
        assertThat(Double.doubleToRawLongBits(parsePlain("-0"))).isEqualTo(Double.doubleToRawLongBits(-0.0));
        assertThat(parsePlain("3599.996")).isEqualTo(3599.996);
        assertThat(parsePlain("0.0000000000000000000001")).isEqualTo(1e-22);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-", ".", "-.", "1.2.3", "+1", "1e5", " 1", "1 ", "0x10", "NaN", "Infinity", "1d",
            "9007199254740993", "12345678901234567890", "0.00000000000000000000001", "1,5", "--1"})
    void anythingElseIsLeftToParseDouble(String text) {
        assertThat(parsePlain(text)).as(text).isNaN();
    }

    @Test
    void randomDecimalsParseToTheSameBitsAsParseDouble() {
        SplittableRandom random = new SplittableRandom(7);
        int fast = 0;
        for (int i = 0; i < 300_000; i++) {
            StringBuilder b = new StringBuilder();
            if (random.nextBoolean()) {
                b.append('-');
            }
            int digits = 1 + random.nextInt(19);
            int point = random.nextInt(digits + 2) - 1;
            for (int d = 0; d < digits; d++) {
                if (d == point) {
                    b.append('.');
                }
                b.append((char) ('0' + random.nextInt(10)));
            }
            String text = b.toString();
            double v = parsePlain(text);
            if (!Double.isNaN(v)) {
                fast++;
                assertThat(Double.doubleToRawLongBits(v)).as(text)
                        .isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(text)));
            }
        }
        assertThat(fast).isGreaterThan(200_000);
    }

    @Test
    void millivoltsInStepsOfFiveThousandthsFitSixteenBits() {
        double[] values = {0, 0.005, -0.295, 1.28, -1.28, 0.635, 32.765, -32.765};
        Decimals.Encoding e = Decimals.choose(values, values.length);
        assertThat(e).isEqualTo(new Decimals.Encoding(ColumnFile.ENCODING_INT16_DECIMAL, 3));
        assertRoundTrip(values, e);
    }

    @Test
    void widerIntegersTakeThirtyTwoBits() {
        double[] values = {40_000, -200_000_000, 0.5};
        Decimals.Encoding e = Decimals.choose(values, values.length);
        assertThat(e).isEqualTo(new Decimals.Encoding(ColumnFile.ENCODING_INT32_DECIMAL, 1));
        assertRoundTrip(values, e);
    }

    @Test
    void whatNoScaledIntegerReproducesStaysFloat64() {
        assertThat(Decimals.choose(new double[] {1, -0.0}, 2)).isEqualTo(Decimals.Encoding.FLOAT64);
        assertThat(Decimals.choose(new double[] {0.1 + 0.2}, 1)).isEqualTo(Decimals.Encoding.FLOAT64);
        assertThat(Decimals.choose(new double[] {1e-10}, 1)).isEqualTo(Decimals.Encoding.FLOAT64);
        assertThat(Decimals.choose(new double[] {3e9}, 1)).isEqualTo(Decimals.Encoding.FLOAT64);
        assertThat(Decimals.choose(new double[] {Math.PI}, 1)).isEqualTo(Decimals.Encoding.FLOAT64);
    }

    @Test
    void onlyTheCountedValuesAreConsidered() {
        assertThat(Decimals.choose(new double[] {1, 2, Math.PI}, 2))
                .isEqualTo(new Decimals.Encoding(ColumnFile.ENCODING_INT16_DECIMAL, 0));
    }

    @Test
    void randomDecimalsOfUpToNineDigitsRoundTripExactly() {
        SplittableRandom random = new SplittableRandom(11);
        for (int round = 0; round < 200; round++) {
            int digits = random.nextInt(10);
            double[] values = new double[1000];
            for (int i = 0; i < values.length; i++) {
                long k = random.nextLong(-2_000_000_000L, 2_000_000_000L);
                values[i] = Double.parseDouble(BigDecimal.valueOf(k, digits).toPlainString());
            }
            Decimals.Encoding e = Decimals.choose(values, values.length);
            assertThat(e.encoding()).isNotEqualTo(ColumnFile.ENCODING_FLOAT64);
            assertRoundTrip(values, e);
        }
    }

    private static void assertRoundTrip(double[] values, Decimals.Encoding e) {
        double scale = Decimals.powerOfTen(e.decimalDigits());
        for (double v : values) {
            long k = (long) Math.rint(v * scale);
            double back = e.encoding() == ColumnFile.ENCODING_INT16_DECIMAL ? (short) k / scale : (int) k / scale;
            assertThat(Double.doubleToRawLongBits(back)).as("%s", v).isEqualTo(Double.doubleToRawLongBits(v));
        }
    }
}
