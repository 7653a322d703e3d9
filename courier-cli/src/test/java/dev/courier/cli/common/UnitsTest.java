package dev.courier.cli.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
