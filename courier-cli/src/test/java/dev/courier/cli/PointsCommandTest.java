package dev.courier.cli;

import static dev.courier.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.cli.common.ExitCodes;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code courier points --bins N --range LO HI} against a real server: the JSON's edges and every record's counts
 * equal those worked out here in exact decimal from the CSV text, the table labels its bins by those edges, and bad
 * bins are refused as usage errors.
 */
class PointsCommandTest extends BundledServerTest {
    /** The bin of {@code value} among {@code bins} over [lo, hi), outer bins open-ended, in exact decimal. */
    private static int bin(BigDecimal value, BigDecimal lo, BigDecimal hi, int bins) {
        if (value.compareTo(lo) < 0) {
            return 0;
        }
        if (value.compareTo(hi) >= 0) {
            return bins - 1;
        }
        return value.subtract(lo).multiply(BigDecimal.valueOf(bins)).divide(hi.subtract(lo), 0, RoundingMode.FLOOR)
                .intValueExact();
    }

    @Test
    void binsAndRangeGiveTheEdgesAndCountsOfTheCsvText() {
        BigDecimal lo = new BigDecimal("-1.3");
        BigDecimal hi = new BigDecimal("0.8");
        int bins = 7;
        int count = 3000;
        CliRun r = run("points", "-s", address, "--records", "1-3", "--count", Integer.toString(count), "-c", "3",
                "--channel", "2", "--bins", Integer.toString(bins), "--range", "-1.3", "0.8", "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();

        Matcher edges = Pattern.compile("\"edges\": \\[([^]]*)]").matcher(r.out());
        assertThat(edges.find()).as(r.out()).isTrue();
        List<BigDecimal> printed = Arrays.stream(edges.group(1).split(", ")).map(BigDecimal::new).toList();
        assertThat(printed).hasSize(bins + 1);
        for (int i = 0; i <= bins; i++) {
            BigDecimal expected = lo.add(hi.subtract(lo).multiply(BigDecimal.valueOf(i))
                    .divide(BigDecimal.valueOf(bins)));
            assertThat(printed.get(i)).isEqualByComparingTo(expected); // -1.3, -1, -0.7, ... 0.8, not 0.7999999
        }
        for (String record : List.of("1", "2", "3")) {
            long[] expected = new long[bins];
            for (int i = 0; i < count; i++) {
                expected[bin(new BigDecimal(truth.valueText(record, i, 2)), lo, hi, bins)]++;
            }
            List<String> counts = new ArrayList<>();
            for (long c : expected) {
                counts.add(Long.toString(c));
            }
            assertThat(r.out()).contains("\"" + record + "\": {\"count\": " + count + ", \"histogram\": ["
                    + String.join(", ", counts) + "]}");
        }
        CliRun table = run("points", "-s", address, "--records", "1", "--count", "10", "-c", "1", "--bins", "7",
                "--range", "-1.3", "0.8");
        assertThat(table.out().lines().map(l -> l.split(" +")[0]).toList())
                .startsWith("bin", "[-inf,", "[-1.0,", "[-0.7,", "[-0.4,", "[-0.1,", "[0.2,", "[0.5,", "total");
    }

    @Test
    void theDefaultIsTenBinsOverMinusTwoToTwo() {
        CliRun r = run("points", "-s", address, "--records", "4", "--count", "2000", "-c", "2", "--json");
        assertThat(r.out()).contains("\"edges\": [-2, -1.6, -1.2, -0.8, -0.4, 0, 0.4, 0.8, 1.2, 1.6, 2]");
        List<String> counts = new ArrayList<>();
        for (long c : truth.histogram("4", 2000, 1)) {
            counts.add(Long.toString(c));
        }
        assertThat(r.out()).contains("\"histogram\": [" + String.join(", ", counts) + "]");
    }

    @Test
    void badBinsAreUsageErrors() {
        for (String[] bad : new String[][] {{"--bins", "0"}, {"--bins", "10001"}, {"--range", "1", "1"},
                {"--range", "2", "-2"}, {"--range", "1"}}) {
            List<String> args = new ArrayList<>(List.of("points", "-s", address, "--records", "1", "--count", "1"));
            args.addAll(List.of(bad));
            CliRun r = run(args.toArray(String[]::new));
            assertThat(r.exitCode()).as(String.join(" ", bad)).isEqualTo(ExitCodes.USAGE);
            assertThat(r.out()).isEmpty();
        }
    }
}
