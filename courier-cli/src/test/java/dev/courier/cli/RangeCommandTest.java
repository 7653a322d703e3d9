package dev.courier.cli;

import static dev.courier.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.cli.common.ExitCodes;
import dev.courier.server.CourierServer;
import dev.courier.server.ServerConfig;
import dev.courier.server.testing.CsvTruth;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code courier records} and {@code courier range} against real servers: a whole record printed as CSV is its
 * source file byte for byte (the bundled set, gen-data output, and a file with a header row), the JSON of records is
 * the issue's, ranges in seconds and sample indexes pick the rows the CSV text says, envelopes are computed here
 * from the CSV text, and bad input exits 1 with the typed error.
 */
class RangeCommandTest extends BundledServerTest {
    private static List<String> lines(Path csv) throws Exception {
        return Files.readAllLines(csv, StandardCharsets.US_ASCII);
    }

    @Test
    void aWholeBundledRecordAsCsvIsItsSourceFileByteForByte(@TempDir Path out) throws Exception {
        for (String id : truth.records()) {
            Path printed = out.resolve(id + ".csv");
            CliRun r = run("range", "-s", address, id, "-o", printed.toString());

            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(Files.mismatch(printed, CsvTruth.dataDir().resolve(id + ".csv"))).as("record %s", id)
                    .isEqualTo(-1L);
        }
        CliRun stdout = run("range", "-s", address, "5", "--csv");
        assertThat(stdout.out()).isEqualTo(Files.readString(CsvTruth.dataDir().resolve("5.csv")));
    }

    @Test
    void aWholeGeneratedRecordAsCsvIsItsSourceFileByteForByte(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("gen");
        assertThat(run("gen-data", "--records", "2", "--seconds", "30", "--rate", "500", "--out", data.toString())
                .exitCode()).isZero();
        try (CourierServer gen = CourierServer.start(ServerConfig.of(new InetSocketAddress("127.0.0.1", 0), data,
                data))) {
            String at = "127.0.0.1:" + gen.localAddress().getPort();
            for (String id : List.of("1", "2")) {
                Path printed = dir.resolve(id + ".out");
                assertThat(run("range", "-s", at, id, "-o", printed.toString()).exitCode()).isZero();
                assertThat(Files.mismatch(printed, data.resolve(id + ".csv"))).as("record %s", id).isEqualTo(-1L);
            }
        }
    }

    @Test
    void aRecordWithAHeaderRowKeepsItAndTakesItsUnitsFromIt(@TempDir Path data) throws Exception {
        String csv = "t,ecg1 (mV),resp\n0.5,1.25,-3\n0.51,0.0001,2E-7\n0.52,-0.5,12345678.9\n";
        Files.writeString(data.resolve("h.csv"), csv);
        try (CourierServer s = CourierServer.start(ServerConfig.of(new InetSocketAddress("127.0.0.1", 0), data,
                data))) {
            String at = "127.0.0.1:" + s.localAddress().getPort();
            CliRun records = run("records", "-s", at, "--json");
            assertThat(records.out().strip()).isEqualTo("{\"records\": [{\"id\": \"h\", \"rate_hz\": 100,"
                    + " \"samples\": 3, \"duration_s\": 0.03, \"channels\": [{\"number\": 1, \"name\": \"ecg1\","
                    + " \"unit\": \"mV\"}, {\"number\": 2, \"name\": \"resp\", \"unit\": \"\"}]}]}");
            CliRun range = run("range", "-s", at, "h");
            // The same header and values; 2E-7 prints plainly, as the shortest decimal of the same double.
            assertThat(range.out()).isEqualTo("t,ecg1 (mV),resp\n0.5,1.25,-3\n0.51,0.0001,0.0000002\n"
                    + "0.52,-0.5,12345678.9\n");
            CliRun second = run("range", "-s", at, "h", "--channels", "2");
            assertThat(second.out()).isEqualTo("t,resp\n0.5,-3\n0.51,0.0000002\n0.52,12345678.9\n");
        }
    }

    @Test
    void aSidecarGivesNamesUnitsAndStart(@TempDir Path data) throws Exception {
        Files.writeString(data.resolve("s.csv"), "0,1,2\n0.5,3,4\n");
        Files.writeString(data.resolve("s.json"), "{\"start\": \"2024-05-01T09:30:00Z\", \"note\": [1, {}],"
                + " \"channels\": [{\"name\": \"lead \\u00e9\", \"unit\": \"uV\"}]}");
        Files.writeString(data.resolve("bad.csv"), "0,1\n1,2\n");
        Files.writeString(data.resolve("bad.json"), "{\"channels\": [{}, {}]}");
        try (CourierServer s = CourierServer.start(ServerConfig.of(new InetSocketAddress("127.0.0.1", 0), data,
                data))) {
            CliRun records = run("records", "-s", "127.0.0.1:" + s.localAddress().getPort(), "--json");
            assertThat(records.out().strip()).isEqualTo("{\"records\": [{\"id\": \"bad\", \"rate_hz\": 1,"
                    + " \"samples\": 2, \"duration_s\": 2, \"channels\": [{\"number\": 1, \"name\": \"ch1\","
                    + " \"unit\": \"\"}]}, {\"id\": \"s\", \"rate_hz\": 2, \"samples\": 2, \"duration_s\": 1,"
                    + " \"start\": \"2024-05-01T09:30:00Z\", \"channels\": [{\"number\": 1, \"name\": \"lead é\","
                    + " \"unit\": \"uV\"}, {\"number\": 2, \"name\": \"ch2\", \"unit\": \"\"}]}]}");
        }
    }

    @Test
    void recordsJsonIsTheIssuesShapeWithTheCsvFilesNumbers() {
        CliRun r = run("records", "-s", address, "--json");

        StringJoiner expected = new StringJoiner(", ", "{\"records\": [", "]}");
        for (String id : truth.records().stream().sorted((a, b) -> Integer.parseInt(a) - Integer.parseInt(b))
                .toList()) {
            int n = truth.samples(id);
            BigDecimal step = new BigDecimal(truth.timeText(id, 1)).subtract(new BigDecimal(truth.timeText(id, 0)));
            BigDecimal rate = BigDecimal.ONE.divide(step);
            expected.add("{\"id\": \"" + id + "\", \"rate_hz\": " + rate.stripTrailingZeros().toPlainString()
                    + ", \"samples\": " + n + ", \"duration_s\": "
                    + new BigDecimal(n).multiply(step).stripTrailingZeros().toPlainString()
                    + ", \"channels\": [{\"number\": 1, \"name\": \"ecg1\", \"unit\": \"mV\"},"
                    + " {\"number\": 2, \"name\": \"ecg2\", \"unit\": \"mV\"}]}");
        }
        assertThat(r.out().strip()).isEqualTo(expected.toString());
        assertThat(run("records", "-s", address).out()).contains("1 ecg1 (mV), 2 ecg2 (mV)");
    }

    @Test
    void secondsPickTheRowsWhoseTimesLieInTheHalfOpenRange() throws Exception {
        List<String> source = lines(CsvTruth.dataDir().resolve("3.csv"));
        CliRun r = run("range", "-s", address, "3", "1", "2");

        List<String> expected = new ArrayList<>();
        for (String line : source) {
            BigDecimal t = new BigDecimal(line.substring(0, line.indexOf(',')));
            if (t.compareTo(BigDecimal.ONE) >= 0 && t.compareTo(BigDecimal.TWO) < 0) {
                expected.add(line);
            }
        }
        assertThat(r.out().lines().toList()).isEqualTo(expected);
    }

    @Test
    void sampleIndexesEveryKthAndChannelOrder() throws Exception {
        List<String> source = lines(CsvTruth.dataDir().resolve("8.csv"));
        CliRun r = run("range", "-s", address, "8", "--from-sample", "7", "--to-sample", "1000", "--every", "10",
                "--channels", "2,1");

        List<String> expected = new ArrayList<>();
        for (int i = 7; i < 1000; i += 10) {
            String[] f = source.get(i).split(",");
            expected.add(f[0] + "," + f[2] + "," + f[1]);
        }
        assertThat(r.out().lines().toList()).isEqualTo(expected);
    }

    @Test
    void severalRecordsAsNdjsonAndJson() {
        CliRun nd = run("range", "-s", address, "--records", "1-3", "0", "0.008", "--ndjson");
        List<String> expected = new ArrayList<>();
        for (String id : List.of("1", "2", "3")) {
            for (int i = 0; i < 2; i++) {
                expected.add("{\"record\": \"" + id + "\", \"sample\": " + i + ", \"time_s\": "
                        + truth.timeText(id, i) + ", \"values\": {\"1\": " + truth.valueText(id, i, 1) + ", \"2\": "
                        + truth.valueText(id, i, 2) + "}}");
            }
        }
        assertThat(nd.out().lines().toList()).isEqualTo(expected);

        CliRun json = run("range", "-s", address, "--records", "2,4", "--from-sample", "0", "--to-sample", "1",
                "--channels", "2", "--json");
        assertThat(json.out().replace("\n", "")).isEqualTo("{\"records\": [{\"id\": \"2\", \"from_sample\": 0,"
                + " \"to_sample\": 1, \"step\": 1, \"channels\": [2], \"rows\": [[0, " + truth.valueText("2", 0, 2)
                + "]]},{\"id\": \"4\", \"from_sample\": 0, \"to_sample\": 1, \"step\": 1, \"channels\": [2],"
                + " \"rows\": [[0, " + truth.valueText("4", 0, 2) + "]]}]}");
    }

    @Test
    void maxPointsPrintsTheEnvelopeOfEachBucket() {
        CliRun r = run("range", "-s", address, "9", "10", "20", "--max-points", "4", "--channels", "1");

        // 2500 samples from 10 s in 4 buckets of 625, min and max found here in the CSV text.
        Pattern bucket = Pattern.compile("\\{\"from_s\": ([-0-9.]+), \"to_s\": ([-0-9.]+), \"min\": ([-0-9.]+),"
                + " \"max\": ([-0-9.]+), \"first\": ([-0-9.]+), \"last\": ([-0-9.]+)}");
        assertThat(r.out()).startsWith("{\"channels\": {\"1\": [");
        Matcher m = bucket.matcher(r.out());
        for (int b = 0; b < 4; b++) {
            assertThat(m.find()).as("bucket %d in %s", b, r.out()).isTrue();
            int from = 2500 + b * 625;
            int to = from + 625;
            BigDecimal min = null;
            BigDecimal max = null;
            for (int i = from; i < to; i++) {
                BigDecimal v = new BigDecimal(truth.valueText("9", i, 1));
                min = min == null || v.compareTo(min) < 0 ? v : min;
                max = max == null || v.compareTo(max) > 0 ? v : max;
            }
            assertThat(new BigDecimal(m.group(1))).isEqualByComparingTo(truth.timeText("9", from));
            assertThat(new BigDecimal(m.group(2))).isEqualByComparingTo(
                    to < truth.samples("9") ? truth.timeText("9", to) : "60");
            assertThat(new BigDecimal(m.group(3))).isEqualByComparingTo(min);
            assertThat(new BigDecimal(m.group(4))).isEqualByComparingTo(max);
            assertThat(m.group(5)).isEqualTo(truth.valueText("9", from, 1));
            assertThat(m.group(6)).isEqualTo(truth.valueText("9", to - 1, 1));
        }
        assertThat(m.find()).as("only 4 buckets").isFalse();
    }

    @Test
    void badRangesExitOneWithTheTypedError() {
        assertThat(run("range", "-s", address, "16").err()).startsWith("courier: UNKNOWN_RECORD");
        assertThat(run("range", "-s", address, "1", "0", "61").err()).startsWith("courier: TIME_OUT_OF_RANGE");
        assertThat(run("range", "-s", address, "1", "-1", "2").err()).startsWith("courier: TIME_OUT_OF_RANGE");
        assertThat(run("range", "-s", address, "1", "--to-sample", "15001").err())
                .startsWith("courier: TIME_OUT_OF_RANGE");
        assertThat(run("range", "-s", address, "1", "5", "2").err()).startsWith("courier: BAD_RANGE");
        assertThat(run("range", "-s", address, "1", "--channels", "3").err()).startsWith("courier: UNKNOWN_CHANNEL");
        CliRun huge = run("range", "-s", address, "1", "--max-points", "1000000");
        assertThat(huge.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(huge.err()).startsWith("courier: TOO_MANY_BUCKETS").hasLineCount(1);
        assertThat(huge.out()).isEmpty();
        assertThat(run("range", "-s", address, "1", "0").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run("range", "-s", address, "1", "--every", "0").exitCode()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void outputFileIsReplacedWholeOrLeftAlone(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out.csv");
        Files.writeString(out, "old\n");
        CliRun refused = run("range", "-s", address, "1", "--channels", "3", "-o", out.toString());
        assertThat(refused.err()).startsWith("courier: UNKNOWN_CHANNEL");
        CliRun past = run("range", "-s", address, "--records", "1,16", "-o", out.toString());
        assertThat(past.err()).startsWith("courier: UNKNOWN_RECORD");
        assertThat(Files.readString(out)).isEqualTo("old\n");

        CliRun ok = run("range", "-s", address, "--records", "1-2", "0", "0.008", "-o", out.toString());
        assertThat(ok.exitCode()).as(ok.err()).isZero();
        assertThat(ok.out()).isEmpty();
        List<String> expected = new ArrayList<>();
        for (String id : List.of("1", "2")) {
            for (int i = 0; i < 2; i++) {
                expected.add(id + "," + truth.timeText(id, i) + "," + truth.valueText(id, i, 1) + ","
                        + truth.valueText(id, i, 2));
            }
        }
        assertThat(lines(out)).isEqualTo(expected);
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("out.csv"); // no temporary left
        }
        CliRun noFolder = run("range", "-s", address, "1", "-o", dir.resolve("missing/out.csv").toString());
        assertThat(noFolder.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(noFolder.err()).contains("there is no folder");
    }
}
