package dev.courier.server.points;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What RECORDS says of a recording: channel names and units from the CSV header row (kept through the column cache
 * with the time column's title), overridden by a {@code NAME.json} sidecar, whose malformed forms are refused with a
 * reason.
 */
class RecordMetadataTest {
    @Test
    void aUnitInParenthesesAtTheEndOfATitleIsTheUnit() {
        assertThat(Recording.Label.ofTitle("ecg1 (mV)")).isEqualTo(new Recording.Label("ecg1", "mV"));
        assertThat(Recording.Label.ofTitle("resp")).isEqualTo(new Recording.Label("resp", ""));
        assertThat(Recording.Label.ofTitle("a (b) ( c )")).isEqualTo(new Recording.Label("a (b)", "c"));
        assertThat(Recording.Label.ofTitle("(mV)")).isEqualTo(new Recording.Label("(mV)", ""));
        assertThat(Recording.Label.ofTitle("a (mV) x")).isEqualTo(new Recording.Label("a (mV) x", ""));
        assertThat(Recording.Label.ofTitle("ch65535")).isEqualTo(new Recording.Label("ch65535", ""));
    }

    @Test
    void theHeaderRowSurvivesTheColumnCacheConvertedAndMapped(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("h.csv"), "time,ecg1 (mV),resp\n0,1,2\n0.5,3,4\n");
        Files.writeString(dir.resolve("n.csv"), "0,1\n1,2\n");
        RecordingCache cache = new RecordingCache(dir.resolve("cache"), Optional.empty(), 1);
        for (int load = 0; load < 2; load++) { // converted, then mapped from the column file
            List<Recording> loaded = cache.load(dir).recordings();
            Recording h = loaded.stream().filter(r -> r.id().equals("h")).findFirst().orElseThrow();
            Recording n = loaded.stream().filter(r -> r.id().equals("n")).findFirst().orElseThrow();

            assertThat(h.timeTitle()).as("load %d", load).contains("time");
            assertThat(h.channelNames()).containsExactly("ecg1 (mV)", "resp");
            assertThat(h.labels()).containsExactly(new Recording.Label("ecg1", "mV"), new Recording.Label("resp", ""));
            assertThat(n.timeTitle()).isEmpty();
            assertThat(n.labels()).containsExactly(new Recording.Label("ch1", ""));
        }
        assertThat(Files.list(dir.resolve("cache")).map(p -> p.getFileName().toString()))
                .contains("h.csv" + ColumnFile.SUFFIX);
    }

    private static Recording twoChannels() {
        return new Recording("r", List.of("a", "b (V)"), 0, 1, new double[][] {{1, 2}, {3, 4}});
    }

    @Test
    void aSidecarGivesNamesUnitsAndStartAndKeepsWhatItLeavesOut() throws Exception {
        Recording r = Sidecar.apply(twoChannels(), JsonValue.parse(
                "{\"start\": \"2024-05-01T09:30:00Z\", \"x\": [true, null, -1.5e3, \"\\u00e9\\n\"],"
                        + " \"channels\": [{\"unit\": \"mV\"}]}"));

        assertThat(r.labels()).containsExactly(new Recording.Label("a", "mV"), new Recording.Label("b", "V"));
        assertThat(r.startUnixMillis()).isEqualTo(OptionalLong.of(1_714_555_800_000L));
        assertThat(r.value(2, 1)).isEqualTo(4);
    }

    @Test
    void malformedSidecarsAreRefusedWithTheirReason() {
        String[][] cases = {
                {"[1]", "must be a JSON object"},
                {"{\"start\": 5}", "\"start\" must be a string"},
                {"{\"start\": \"yesterday\"}", "not an ISO-8601 instant"},
                {"{\"channels\": {}}", "\"channels\" must be an array"},
                {"{\"channels\": [{}, {}, {}]}", "names 3 channels; record r has 2"},
                {"{\"channels\": [1]}", "channel 1 must be an object"},
                {"{\"channels\": [{\"name\": 2}]}", "channel 1: \"name\" must be a string"},
        };
        for (String[] c : cases) {
            Throwable t = catchThrowable(() -> Sidecar.apply(twoChannels(), JsonValue.parse(c[0])));
            assertThat(t).as(c[0]).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(c[1]);
        }
    }

    @Test
    void textThatIsNotOneJsonValueIsMalformed() {
        for (String bad : new String[] {"", "{", "[1,]", "{\"a\": 1, \"a\": 2}", "{a: 1}", "01", "\"\\x\"", "1 2",
                "[".repeat(40) + "]".repeat(40), "\"tab\there\""}) {
            assertThat(catchThrowable(() -> JsonValue.parse(bad))).as(bad)
                    .isInstanceOf(JsonValue.MalformedJsonException.class);
        }
    }
}
