package dev.courier.server.points;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Failure;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordingStoreTest {
    private static Recording recording(String id, double value) {
        return new Recording(id, List.of("ch1"), 0, 1, new double[][] {{value, value + 1}});
    }

    @Test
    void aThousandNumberedRecordsAreEachFoundByTheirId() {
        List<Recording> all = new ArrayList<>();
        for (int i = 1; i <= 1000; i++) {
            all.add(recording(Integer.toString(i), i));
        }
        RecordingStore store = new RecordingStore(all, 10);
        assertThat(store.size()).isEqualTo(1000);
        for (int i = 1; i <= 1000; i++) {
            Recording r = store.recording(Integer.toString(i));
            assertThat(r.value(1, r.sampleIndex(1))).isEqualTo(i + 1);
        }
        assertThat(store.recordings()).extracting(Recording::id).startsWith("1", "2", "3").endsWith("999", "1000");
        assertThatThrownBy(() -> store.recording("1001")).isInstanceOfSatisfying(Failure.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_RECORD);
            assertThat(e.getMessage()).contains("1000 records, 1 to 1000");
        });
    }

    @Test
    void twoRecordingsWithOneIdAreRefused() {
        assertThatThrownBy(() -> new RecordingStore(List.of(recording("a", 1), recording("a", 2)), 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a'");
    }
}
