package dev.courier.cli.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class UnitsTest {
    @Test
    void sizesTakeBinaryMultiplesInAnyCase() {
        assertThat(Units.bytes("512")).isEqualTo(512);
        assertThat(Units.bytes("64K")).isEqualTo(64 * 1024);
        assertThat(Units.bytes("64k")).isEqualTo(64 * 1024);
        assertThat(Units.bytes("1M")).isEqualTo(1024 * 1024);
        assertThat(Units.bytes("1MiB")).isEqualTo(1024 * 1024);
        assertThat(Units.bytes("2G")).isEqualTo(2L * 1024 * 1024 * 1024);
        assertThat(Units.bytes("1.5K")).isEqualTo(1536);
        assertThat(Units.bytes("16g")).isEqualTo(16L << 30);
    }

    @Test
    void sizesThatAreNotWholeBytesOrNotSizesAreRefusedWithWhatWasExpected() {
        assertThatThrownBy(() -> Units.bytes("1.0001K")).isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("whole number of bytes");
        assertThatThrownBy(() -> Units.bytes("-1")).isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("'-1' is not a size");
        assertThatThrownBy(() -> Units.bytes("1X")).hasMessageContaining("'1X' is not a size");
        assertThatThrownBy(() -> Units.bytes("")).isInstanceOf(TypeConversionException.class);
        assertThatThrownBy(() -> new Units.IntBytes().convert("2G")).hasMessageContaining("too large");
    }

    @Test
    void durationsTakeUnitsAndAPlainNumberIsInTheOptionsUnit() {
        assertThat(Units.millis("500")).isEqualTo(500);
        assertThat(Units.millis("500ms")).isEqualTo(500);
        assertThat(Units.millis("10s")).isEqualTo(10_000);
        assertThat(Units.millis("2m")).isEqualTo(120_000);
        assertThat(Units.millis("1h")).isEqualTo(3_600_000);
        assertThat(Units.millis("1d")).isEqualTo(86_400_000);
        assertThat(Units.millis("1us")).as("above zero stays above zero").isEqualTo(1);
        assertThat(Units.seconds("0.004")).isEqualTo(0.004);
        assertThat(Units.seconds("30")).isEqualTo(30.0);
        assertThat(Units.seconds("500ms")).isEqualTo(0.5);
        assertThat(Units.seconds("2m")).isEqualTo(120.0);
        assertThatThrownBy(() -> Units.millis("10 sec")).hasMessageContaining("'10 sec' is not a duration");
        assertThatThrownBy(() -> Units.seconds("soon")).hasMessageContaining("is not a duration");
    }

    @Test
    void wholeNumbersGiveWhatExactDecimalArithmeticGivesUpToTheEdgeOfALong() {
        // Whole numbers take a long-arithmetic path; the expected values here are the exact decimal products, so
        // the two paths cannot drift apart, also where the product stops fitting 63 bits.
        List<String> numbers = List.of("0", "1", "999", "1000", "1001", "123456789", "9223372036", "9223372036854",
                "9223372036854775", "999999999999999999", "9223372036854775807", "99999999999999999999");
        Map<String, Long> durationUnits = Map.of("", 1_000_000L, "ns", 1L, "us", 1_000L, "ms", 1_000_000L,
                "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L, "d", 86_400_000_000_000L);
        Map<String, Long> sizeUnits = Map.of("", 1L, "K", 1L << 10, "M", 1L << 20, "G", 1L << 30, "T", 1L << 40);
        BigDecimal maxLong = BigDecimal.valueOf(Long.MAX_VALUE);
        for (String n : numbers) {
            durationUnits.forEach((unit, nanos) -> {
                BigDecimal ms = new BigDecimal(n).multiply(BigDecimal.valueOf(nanos))
                        .divide(BigDecimal.valueOf(1_000_000L), 0, RoundingMode.CEILING);
                if (ms.compareTo(maxLong) <= 0) {
                    assertThat(Units.millis(n + unit)).as(n + unit).isEqualTo(ms.longValueExact());
                } else {
                    assertThatThrownBy(() -> Units.millis(n + unit)).as(n + unit)
                            .isInstanceOf(TypeConversionException.class);
                }
            });
            sizeUnits.forEach((unit, bytes) -> {
                BigDecimal b = new BigDecimal(n).multiply(BigDecimal.valueOf(bytes));
                if (b.compareTo(maxLong) <= 0) {
                    assertThat(Units.bytes(n + unit)).as(n + unit).isEqualTo(b.longValueExact());
                } else {
                    assertThatThrownBy(() -> Units.bytes(n + unit)).as(n + unit)
                            .isInstanceOf(TypeConversionException.class);
                }
            });
        }
    }
}
