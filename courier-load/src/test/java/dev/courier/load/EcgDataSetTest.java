package dev.courier.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link EcgDataSet}: the files it writes and what it reports. */
class EcgDataSetTest {
    @Test
    void writesOneFilePerRecordAndReturnsTheirSize(@TempDir Path dir) throws Exception {
        long bytes = EcgDataSet.write(dir.resolve("new"), new EcgDataSet.Spec(3, 500, 250, 4), 2);
        long sum = 0;
        for (int r = 1; r <= 3; r++) {
            sum += Files.size(dir.resolve("new").resolve(r + ".csv"));
        }
        assertThat(bytes).isEqualTo(sum).isPositive();
        PointData data = PointData.load(dir.resolve("new"), null);
        assertThat(data.records()).containsExactly("1", "2", "3");
        assertThat(data.samplesPerRecord()).isEqualTo(500);
        assertThat(data.channels(0)).isEqualTo(2);
        assertThat(data.timeSeconds(2, 250)).isEqualTo(1.0);
    }

    @Test
    void aSpecOutsideItsRangesIsRefused() {
        assertThatThrownBy(() -> new EcgDataSet.Spec(0, 500, 250, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EcgDataSet.Spec(1, 1, 250, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EcgDataSet.Spec(1, 500, 0, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
