package dev.courier.server.points;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The optional metadata file of a recording: {@code NAME.json} next to {@code NAME.csv}, read at every start (it is
 * not part of the column cache, so editing it needs no conversion). Its format, every key optional:
 *
 * <pre>
 * {"start": "2024-05-01T09:30:00Z",
 *  "channels": [{"name": "ecg1", "unit": "mV"}, {"name": "ecg2", "unit": "mV"}]}
 * </pre>
 *
 * {@code start} is the wall-clock time of sample 0 (ISO-8601 with an offset or Z); {@code channels} gives channel 1,
 * 2, ... in order, at most one entry per channel, and a name or unit it leaves out keeps what the CSV header gave.
 * Other keys are ignored, so the file may carry notes. A sidecar that breaks these rules is reported and ignored: the
 * recording is served with the CSV's own labels. Stateless.
 */
public final class Sidecar {
    /** The largest sidecar read: metadata, not data. */
    static final int MAX_BYTES = 1 << 20;

    private Sidecar() {
    }

    /** The recordings of {@code dataDir} with their sidecars applied, and one line per sidecar that was refused. */
    public static CsvRecordingLoader.Result apply(Path dataDir, CsvRecordingLoader.Result loaded) throws IOException {
        List<Recording> recordings = new ArrayList<>(loaded.recordings().size());
        List<String> problems = new ArrayList<>(loaded.problems());
        for (Recording r : loaded.recordings()) {
            Path file = dataDir.resolve(r.id() + ".json");
            try {
                recordings.add(apply(r, read(file)));
            } catch (NoSuchFileException e) {
                recordings.add(r);
            } catch (JsonValue.MalformedJsonException | IllegalArgumentException e) {
                problems.add(file.getFileName() + ": " + e.getMessage() + " (the sidecar is ignored)");
                recordings.add(r);
            }
        }
        return new CsvRecordingLoader.Result(recordings, problems);
    }

    private static Object read(Path file) throws IOException, JsonValue.MalformedJsonException {
        if (Files.size(file) > MAX_BYTES) {
            throw new IllegalArgumentException("larger than " + MAX_BYTES + " bytes");
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
            return JsonValue.parse(text);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("not UTF-8 text");
        }
    }

    /** {@code r} with the labels and start of the sidecar {@code json}. */
    static Recording apply(Recording r, Object json) {
        if (!(json instanceof Map<?, ?> top)) {
            throw new IllegalArgumentException("must be a JSON object");
        }
        OptionalLong start = OptionalLong.empty();
        if (top.get("start") instanceof String s) {
            try {
                start = OptionalLong.of(Instant.parse(s).toEpochMilli());
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("\"start\" is not an ISO-8601 instant: " + s);
            }
        } else if (top.containsKey("start")) {
            throw new IllegalArgumentException("\"start\" must be a string");
        }
        List<Recording.Label> labels = new ArrayList<>(r.labels());
        Object channels = top.get("channels");
        if (channels instanceof List<?> list) {
            if (list.size() > labels.size()) {
                throw new IllegalArgumentException("names " + list.size() + " channels; record " + r.id() + " has "
                        + labels.size());
            }
            for (int c = 0; c < list.size(); c++) {
                if (!(list.get(c) instanceof Map<?, ?> entry)) {
                    throw new IllegalArgumentException("channel " + (c + 1) + " must be an object");
                }
                Recording.Label old = labels.get(c);
                labels.set(c, new Recording.Label(text(entry, "name", old.name(), c),
                        text(entry, "unit", old.unit(), c)));
            }
        } else if (channels != null) {
            throw new IllegalArgumentException("\"channels\" must be an array");
        }
        return r.withLabels(labels, start);
    }

    private static String text(Map<?, ?> entry, String key, String otherwise, int c) {
        Object v = entry.get(key);
        if (v == null) {
            return otherwise;
        }
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("channel " + (c + 1) + ": \"" + key + "\" must be a string");
        }
        return s;
    }
}
