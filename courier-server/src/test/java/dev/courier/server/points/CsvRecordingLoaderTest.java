package dev.courier.server.points;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Failure;
import dev.courier.protocol.fuzz.AllocationBudget;
import dev.courier.server.testing.CsvTruth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvRecordingLoaderTest {
    @Test
    void bundledDataSetLoadsFifteenRecordsOfTwoChannelsAt250Hz() throws Exception {
        CsvRecordingLoader.Result result = CsvRecordingLoader.loadDirectory(CsvTruth.dataDir());
        CsvTruth truth = CsvTruth.load();
        assertThat(result.problems()).isEmpty();
        assertThat(result.recordings()).hasSize(15);
        for (Recording r : result.recordings()) {
            assertThat(r.channelCount()).isEqualTo(2);
            assertThat(r.sampleCount()).isEqualTo(truth.samples(r.id()));
            assertThat(r.rateHz()).isEqualTo(250.0);
            // The exact sample time reproduces the file's time column, sample by sample.
            for (int i = 0; i < r.sampleCount(); i += 997) {
                assertThat(r.sampleTimeSeconds(i)).isEqualTo(Double.parseDouble(truth.timeText(r.id(), i)));
                assertThat(r.value(2, i)).isEqualTo(truth.value(r.id(), i, 2));
            }
        }
    }

    @Test
    void aWideRowCostsMemoryInProportionToItsValuesNotAThousandRowsPerChannel(@TempDir Path dir) throws Exception {
        // Found by CsvRecordingLoaderFuzzTest: a 7 KB row of 3,500 channels made the loader allocate 29 MB.
        int channels = 4000;
        Path csv = dir.resolve("wide.csv");
        Files.writeString(csv, "0" + ",1.5".repeat(channels) + "\n0.5" + ",-2".repeat(channels) + "\n");
        long fileBytes = Files.size(csv);
        AllocationBudget.of(2 << 20, 64, fileBytes).run("loading " + channels + " channels", () -> {
            Recording r;
            try {
                r = CsvRecordingLoader.load(csv);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            assertThat(r.channelCount()).isEqualTo(channels);
            assertThat(r.value(channels, 0)).isEqualTo(1.5);
            assertThat(r.value(1, 1)).isEqualTo(-2.0);
        });
    }

    @Test
    void malformedFilesAreReportedWithNameAndLineAndOthersStillLoad(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("good.csv"), "0,1.5\n0.5,2.5\n1,3.5\n");
        Files.writeString(dir.resolve("badnumber.csv"), "0,1\n0.5,2\n1,x\n");
        Files.writeString(dir.resolve("short.csv"), "0,1,2\n0.5,2\n");
        Files.writeString(dir.resolve("backwards.csv"), "0,1\n0.5,2\n0.25,3\n");
        Files.writeString(dir.resolve("uneven.csv"), "0,1\n0.5,2\n1,3\n1.7,4\n");
        Files.writeString(dir.resolve("empty.csv"), "");
        Files.writeString(dir.resolve("notes.txt"), "not a recording");
        CsvRecordingLoader.Result result = CsvRecordingLoader.loadDirectory(dir);
        assertThat(result.recordings()).extracting(Recording::id).containsExactly("good");
        assertThat(result.problems()).containsExactlyInAnyOrder(
                "backwards.csv line 3: time 0.25 does not increase",
                "badnumber.csv line 3: channel 1 is not a number: 'x'",
                "empty.csv line 0: needs at least two samples to know its rate, found 0",
                "short.csv line 2: expected 3 fields, found 2",
                "uneven.csv line 4: time 1.7 s breaks the uniform sampling every 0.5 s (expected 1.5 s)");
    }

    @Test
    void headerRowNamesTheChannels(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("named.csv"), "time,lead I,lead II\n10,1,2\n10.5,3,4\n");
        Recording r = CsvRecordingLoader.load(dir.resolve("named.csv"));
        assertThat(r.channelNames()).containsExactly("lead I", "lead II");
        assertThat(r.rateHz()).isEqualTo(2.0);
        assertThat(r.startTimeSeconds()).isEqualTo(10.0);
        assertThat(r.sampleIndex(10.6)).isEqualTo(1);
        assertThat(r.value(2, 1)).isEqualTo(4.0);
    }

    @Test
    void timesRoundToTheNearestSample() throws Exception {
        Recording r = CsvRecordingLoader.load(CsvTruth.dataDir().resolve("3.csv"));
        assertThat(r.sampleIndex(0.008)).isEqualTo(2);
        assertThat(r.sampleIndex(0.0099)).isEqualTo(2);
        assertThat(r.sampleIndex(0.0101)).isEqualTo(3);
        assertThat(r.sampleIndex(-0.0019)).isZero();
        Assertions.assertThatThrownBy(() -> r.sampleIndex(-0.0021))
                .isInstanceOfSatisfying(Failure.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TIME_OUT_OF_RANGE));
        RecordingStore store = new RecordingStore(List.of(r), 10);
        assertThat(store.recording("3").value(1, 2)).isEqualTo(-0.295);
    }

    @Test
    void linesEndAtLineFeedCarriageReturnOrBothLikeReadLine(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("ends.csv"), "0,1\r\n0.5,2\r1,3\n\n1.5,4");
        Recording r = CsvRecordingLoader.load(dir.resolve("ends.csv"));
        assertThat(r.sampleCount()).isEqualTo(4);
        assertThat(r.value(1, 3)).isEqualTo(4.0);
        Files.writeString(dir.resolve("bad.csv"), "0,1\r\n0.5,2\r1,x\n");
        Assertions.assertThatThrownBy(() -> CsvRecordingLoader.load(dir.resolve("bad.csv")))
                .hasMessage("bad.csv line 3: channel 1 is not a number: 'x'");
    }

    @Test
    void spacesExponentsAndPlainDecimalsMixInOneFile(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("mixed.csv"), " time , a \n0, 1.5 \n0.5,2.5e0\n1,-0.125\n   \n1.5,+4\n");
        Recording r = CsvRecordingLoader.load(dir.resolve("mixed.csv"));
        assertThat(r.channelNames()).containsExactly("a");
        assertThat(r.sampleCount()).isEqualTo(4);
        assertThat(new double[] {r.value(1, 0), r.value(1, 1), r.value(1, 2), r.value(1, 3)})
                .containsExactly(1.5, 2.5, -0.125, 4.0);
    }

    @Test
    void aLineLongerThanTheReadBufferIsReadWhole(@TempDir Path dir) throws Exception {
        StringBuilder header = new StringBuilder("time");
        StringBuilder row0 = new StringBuilder("0");
        StringBuilder row1 = new StringBuilder("1");
        for (int c = 1; c <= 20_000; c++) {
            header.append(",c").append(c);
            row0.append(",").append(c).append(".25");
            row1.append(",-").append(c);
        }
        Files.writeString(dir.resolve("wide.csv"), header + "\n" + row0 + "\n" + row1 + "\n");
        Recording r = CsvRecordingLoader.load(dir.resolve("wide.csv"));
        assertThat(r.channelCount()).isEqualTo(20_000);
        assertThat(r.value(20_000, 0)).isEqualTo(20_000.25);
        assertThat(r.value(12_345, 1)).isEqualTo(-12_345.0);
    }

    @Test
    void bytesThatAreNotUtf8AreReportedWithTheirLine(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("latin1.csv"), new byte[] {'0', ',', '1', '\n', '1', ',', '2', (byte) 0xE9, '\n'});
        Assertions.assertThatThrownBy(() -> CsvRecordingLoader.load(dir.resolve("latin1.csv")))
                .hasMessage("latin1.csv line 2: not UTF-8 text");
    }
}
