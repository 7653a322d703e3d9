package dev.courier.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PointData}: the CSV files read independently of the server, whole or sampled by seeking. */
class PointDataTest {
    @Test
    void sampledRowsAreTheSameAsTheFullRowsAtTheirIndexes(@TempDir Path dir) throws Exception {
        EcgDataSet.write(dir, new EcgDataSet.Spec(2, 30 * 250, 250, 1), 0);
        Files.writeString(dir.resolve("3.csv"), "time,a\n\n0,1\n0.5,2\n1,3\n1.5,4\n2,5\n");
        PointData full = PointData.load(dir, null);
        PointData sampled = PointData.load(dir, null, 25);
        assertThat(sampled.records()).isEqualTo(full.records());
        for (int r = 0; r < full.recordCount(); r++) {
            int last = -1;
            for (int row = 0; row < sampled.samplesPerRecord(); row++) {
                int index = sampled.sampleIndex(r, row);
                assertThat(index).isGreaterThan(last);
                last = index;
                assertThat(sampled.timeSeconds(r, row)).isEqualTo(full.timeSeconds(r, index));
                assertThat(sampled.value(r, 1, row)).isEqualTo(full.value(r, 1, index));
            }
        }
        assertThat(sampled.samplesPerRecord()).isEqualTo(5);
        assertThat(PointData.load(dir, List.of("1"), 25).samplesPerRecord()).isEqualTo(25);
    }

    @Test
    void recordsAreSortedByFileNameAndAHeaderRowIsSkipped(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("b.csv"), "time,x,y\n0,1.5,-2\n0.004,2.5,-3\n");
        Files.writeString(dir.resolve("a.csv"), "0,7,8\n0.004,9,10\n0.008,11,12\n");
        PointData data = PointData.load(dir, null);
        assertThat(data.records()).containsExactly("a", "b");
        assertThat(data.samplesPerRecord()).isEqualTo(2);
        assertThat(data.rows(0)).isEqualTo(3);
        assertThat(data.channels(1)).isEqualTo(2);
        assertThat(data.timeSeconds(1, 1)).isEqualTo(0.004);
        assertThat(data.value(1, 2, 1)).isEqualTo(-3.0);
        assertThat(PointData.load(dir, List.of("b", "a")).records()).containsExactly("b", "a");
    }

    @Test
    void aMissingRecordOrAMalformedFileIsRefusedWithItsName(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("1.csv"), "0,1\n0.004,oops\n");
        assertThatThrownBy(() -> PointData.load(dir, List.of("2")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("record '2'");
        assertThatThrownBy(() -> PointData.load(dir, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1.csv line 2: not a number");
    }
}
