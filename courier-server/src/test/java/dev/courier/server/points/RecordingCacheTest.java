package dev.courier.server.points;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.FileEntry;
import dev.courier.server.files.FileRoot;
import dev.courier.server.testing.CsvTruth;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RecordingCacheTest {
    @TempDir
    Path tmp;

    private Path data;
    private Path cache;

    private RecordingCache cache() {
        return new RecordingCache(data.resolve(RecordingCache.FOLDER_NAME), Optional.of(tmp.resolve("fallback")), 2);
    }

    private Path copyBundledData() throws IOException {
        data = Files.createDirectories(tmp.resolve("data"));
        cache = data.resolve(RecordingCache.FOLDER_NAME);
        try (var files = Files.list(CsvTruth.dataDir())) {
            for (Path p : files.filter(f -> f.toString().endsWith(".csv")).toList()) {
                Files.copy(p, data.resolve(p.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        return data;
    }

    private Path smallData(String csv) throws IOException {
        data = Files.createDirectories(tmp.resolve("data"));
        cache = data.resolve(RecordingCache.FOLDER_NAME);
        Files.writeString(data.resolve("a.csv"), csv);
        return data;
    }

    private static Map<String, Recording> byId(CsvRecordingLoader.Result result) {
        return result.recordings().stream()
                .collect(Collectors.toMap(Recording::id, Function.identity(), (a, b) -> a, TreeMap::new));
    }

    private static Object fileKey(Path p) throws IOException {
        return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
    }

    @Test
    void theFirstLoadWritesAColumnFilePerCsvAndTheSecondMapsThemUntouched() throws Exception {
        copyBundledData();
        CsvRecordingLoader.Result first = cache().load(data);
        assertThat(first.problems()).isEmpty();
        assertThat(first.recordings()).hasSize(15);
        List<Path> columnFiles;
        try (var files = Files.list(cache)) {
            columnFiles = files.sorted().toList();
        }
        assertThat(columnFiles).hasSize(15).allMatch(p -> p.toString().endsWith(".csv.col"));
        FileTime old = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
        Map<Path, Object> keys = new TreeMap<>();
        for (Path p : columnFiles) {
            Files.setLastModifiedTime(p, old);
            keys.put(p, fileKey(p));
        }

        CsvRecordingLoader.Result second = cache().load(data);

        assertThat(second.recordings()).hasSize(15);
        for (Path p : columnFiles) {
            assertThat(Files.getLastModifiedTime(p)).as("%s not rewritten", p).isEqualTo(old);
            assertThat(fileKey(p)).as("%s not replaced", p).isEqualTo(keys.get(p));
        }
    }

    @Test
    void mappedValuesAreBitForBitTheCsvTextForTheBundledSet() throws Exception {
        copyBundledData();
        cache().load(data);
        Map<String, Recording> mapped = byId(cache().load(data));
        CsvTruth truth = CsvTruth.load(data);
        assertThat(mapped.keySet()).containsExactlyInAnyOrderElementsOf(truth.records());
        for (Recording r : mapped.values()) {
            Recording parsed = CsvRecordingLoader.load(data.resolve(r.id() + ".csv"));
            assertThat(r.sampleCount()).isEqualTo(truth.samples(r.id()));
            assertThat(r.rateHz()).isEqualTo(parsed.rateHz()).isEqualTo(250.0);
            assertThat(r.startTimeSeconds()).isEqualTo(parsed.startTimeSeconds());
            assertThat(r.channelNames()).isEqualTo(parsed.channelNames());
            for (int i = 0; i < r.sampleCount(); i++) {
                assertThat(r.sampleTimeSeconds(i)).isEqualTo(Double.parseDouble(truth.timeText(r.id(), i)));
                for (int c = 1; c <= 2; c++) {
                    long expected = Double.doubleToRawLongBits(Double.parseDouble(truth.valueText(r.id(), i, c)));
                    if (Double.doubleToRawLongBits(r.value(c, i)) != expected) {
                        assertThat(r.value(c, i)).as("record %s sample %d channel %d", r.id(), i, c)
                                .isEqualTo(Double.longBitsToDouble(expected));
                    }
                }
            }
        }
    }

    @Test
    void theBundledSetTakesTwoBytesASample() throws Exception {
        copyBundledData();
        Map<String, Recording> mapped = byId(cache().load(data));
        for (Recording r : mapped.values()) {
            long size = Files.size(cache.resolve(r.id() + ".csv.col"));
            assertThat(size).isLessThan(2L * 2 * r.sampleCount() + 256);
            assertThat(r.storedBytes()).isEqualTo(2L * 2 * r.sampleCount());
        }
    }

    @Test
    void theStoreAnswersFromMappedRecordings() throws Exception {
        copyBundledData();
        RecordingStore store = new RecordingStore(cache().load(data).recordings(), 100);
        assertThat(store.recording("3").value(1, store.recording("3").sampleIndex(0.008))).isEqualTo(-0.295);
        var batch = store.samples("3", 1, new double[] {0.008, 0.0});
        assertThat(batch.values()[0]).isEqualTo(-0.295);
        assertThat(batch.indexes()).containsExactly(2, 0);
    }

    @Test
    void aChangedCsvIsConvertedAgain() throws Exception {
        smallData("0,1.5\n0.5,2.5\n");
        assertThat(byId(cache().load(data)).get("a").value(1, 1)).isEqualTo(2.5);
        Path col = cache.resolve("a.csv.col");
        Object key = fileKey(col);
        FileTime before = Files.getLastModifiedTime(data.resolve("a.csv"));
        // Same size, other values, a later modification time.
        Files.writeString(data.resolve("a.csv"), "0,7.5\n0.5,8.5\n");
        Files.setLastModifiedTime(data.resolve("a.csv"), FileTime.from(before.toInstant().plusSeconds(10)));

        Recording r = byId(cache().load(data)).get("a");

        assertThat(r.value(1, 0)).isEqualTo(7.5);
        assertThat(r.value(1, 1)).isEqualTo(8.5);
        assertThat(fileKey(col)).isNotEqualTo(key);
    }

    @Test
    void aCsvTouchedWithoutChangeIsAlsoConvertedAgain() throws Exception {
        smallData("0,1.5\n0.5,2.5\n");
        cache().load(data);
        Path col = cache.resolve("a.csv.col");
        Object key = fileKey(col);
        Files.setLastModifiedTime(data.resolve("a.csv"), FileTime.from(Instant.parse("2021-02-03T04:05:06Z")));
        cache().load(data);
        assertThat(fileKey(col)).isNotEqualTo(key);
    }

    enum Damage {
        HEADER_BYTE_FLIPPED, TRUNCATED, EMPTY, LONGER, WRONG_MAGIC, OTHER_VERSION, COLUMN_PAST_THE_END
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void aDamagedColumnFileIsDetectedAndRebuilt(Damage damage) throws Exception {
        smallData("time,x,y\n0,1.5,-0.25\n0.5,2.5,3\n1,3.5,1e-300\n");
        cache().load(data);
        Path col = cache.resolve("a.csv.col");
        byte[] bytes = Files.readAllBytes(col);
        switch (damage) {
            case HEADER_BYTE_FLIPPED -> bytes[ColumnFile.RATE_OFFSET + 3] ^= 0x10;
            case TRUNCATED -> bytes = Arrays.copyOf(bytes, bytes.length - 8);
            case EMPTY -> bytes = new byte[0];
            case LONGER -> bytes = Arrays.copyOf(bytes, bytes.length + 8);
            case WRONG_MAGIC -> bytes[0] = 'X';
            case OTHER_VERSION -> bytes[ColumnFile.VERSION_OFFSET] = (byte) (ColumnFile.VERSION + 1);
            case COLUMN_PAST_THE_END -> bytes[ColumnFile.SAMPLE_COUNT_OFFSET] = 100;
        }
        Files.write(col, bytes);
        FileTime old = FileTime.from(Instant.parse("2020-01-01T00:00:00Z"));
        Files.setLastModifiedTime(col, old);

        Recording r = byId(cache().load(data)).get("a");

        assertThat(r.channelNames()).containsExactly("x", "y");
        assertThat(r.sampleCount()).isEqualTo(3);
        assertThat(r.value(1, 2)).isEqualTo(3.5);
        assertThat(r.value(2, 0)).isEqualTo(-0.25);
        assertThat(r.value(2, 2)).isEqualTo(1e-300);
        assertThat(Files.getLastModifiedTime(col)).isNotEqualTo(old);
        Files.setLastModifiedTime(col, old);
        cache().load(data);
        assertThat(Files.getLastModifiedTime(col)).as("the rebuilt file is used as it is").isEqualTo(old);
    }

    @Test
    void malformedCsvsAreReportedWithNameAndLineAndGetNoColumnFile() throws Exception {
        data = Files.createDirectories(tmp.resolve("data"));
        cache = data.resolve(RecordingCache.FOLDER_NAME);
        Files.writeString(data.resolve("good.csv"), "0,1.5\n0.5,2.5\n1,3.5\n");
        Files.writeString(data.resolve("badnumber.csv"), "0,1\n0.5,2\n1,x\n");
        Files.writeString(data.resolve("short.csv"), "0,1,2\n0.5,2\n");
        Files.writeString(data.resolve("backwards.csv"), "0,1\n0.5,2\n0.25,3\n");
        Files.writeString(data.resolve("uneven.csv"), "0,1\n0.5,2\n1,3\n1.7,4\n");
        Files.writeString(data.resolve("empty.csv"), "");
        Files.writeString(data.resolve("notes.txt"), "not a recording");
        for (int round = 0; round < 2; round++) {
            CsvRecordingLoader.Result result = cache().load(data);
            assertThat(result.recordings()).extracting(Recording::id).containsExactly("good");
            assertThat(result.problems()).containsExactly(
                    "backwards.csv line 3: time 0.25 does not increase",
                    "badnumber.csv line 3: channel 1 is not a number: 'x'",
                    "empty.csv line 0: needs at least two samples to know its rate, found 0",
                    "short.csv line 2: expected 3 fields, found 2",
                    "uneven.csv line 4: time 1.7 s breaks the uniform sampling every 0.5 s (expected 1.5 s)");
            try (var files = Files.list(cache)) {
                assertThat(files.map(p -> p.getFileName().toString())).containsExactly("good.csv.col");
            }
        }
    }

    @Test
    void anUnwritableCacheFolderFallsBackToTheFallbackFolder() throws Exception {
        smallData("0,1.5\n0.5,2.5\n");
        // A regular file where the cache folder's parent should be: it can never be created (even as root).
        Path blocked = Files.writeString(tmp.resolve("blocked"), "");
        Path fallback = tmp.resolve("fallback");
        RecordingCache c = new RecordingCache(blocked.resolve(RecordingCache.FOLDER_NAME), Optional.of(fallback), 1);

        assertThat(byId(c.load(data)).get("a").value(1, 1)).isEqualTo(2.5);

        Path col = fallback.resolve("a.csv.col");
        assertThat(col).isRegularFile();
        Object key = fileKey(col);
        assertThat(byId(c.load(data)).get("a").value(1, 0)).isEqualTo(1.5);
        assertThat(fileKey(col)).isEqualTo(key);
    }

    @Test
    void withNoWritableFolderTheRecordingsAreParsedIntoMemory() throws Exception {
        smallData("0,1.5\n0.5,2.5\n");
        Path blocked = Files.writeString(tmp.resolve("blocked"), "");
        RecordingCache c = new RecordingCache(blocked.resolve("a"), Optional.of(blocked.resolve("b")), 1);
        assertThat(byId(c.load(data)).get("a").value(1, 1)).isEqualTo(2.5);
        RecordingCache noFallback = new RecordingCache(blocked.resolve("a"), Optional.empty(), 1);
        assertThat(byId(noFallback.load(data)).get("a").value(1, 1)).isEqualTo(2.5);
    }

    @Test
    void columnFilesOfRemovedCsvsAndAbandonedTemporaryFilesAreDeleted() throws Exception {
        smallData("0,1.5\n0.5,2.5\n");
        Files.writeString(data.resolve("b.csv"), "0,1\n1,2\n");
        cache().load(data);
        assertThat(cache.resolve("b.csv.col")).isRegularFile();
        Path abandoned = Files.writeString(cache.resolve("a.csv.col" + ColumnFile.TEMP_INFIX + "1234"), "half");
        Files.setLastModifiedTime(abandoned, FileTime.from(Instant.now().minusSeconds(7200)));
        Path fresh = Files.writeString(cache.resolve("a.csv.col" + ColumnFile.TEMP_INFIX + "5678"), "in progress");
        Files.delete(data.resolve("b.csv"));

        cache().load(data);

        assertThat(cache.resolve("b.csv.col")).doesNotExist();
        assertThat(abandoned).doesNotExist();
        assertThat(fresh).exists();
        assertThat(cache.resolve("a.csv.col")).isRegularFile();
    }

    @Test
    void valuesNoScaledIntegerCanHoldKeepTheirExactBits() throws Exception {
        smallData("0,-0,0.30000000000000004,123456.789\n"
                + "0.1,1e-300,3.141592653589793,-2000000.001\n"
                + "0.2,-0.0,1.7976931348623157E308,0.5\n");
        cache().load(data);
        Recording r = byId(cache().load(data)).get("a");
        assertThat(cache.resolve("a.csv.col")).isRegularFile();
        String[][] text = {{"-0", "0.30000000000000004", "123456.789"},
                {"1e-300", "3.141592653589793", "-2000000.001"}, {"-0.0", "1.7976931348623157E308", "0.5"}};
        for (int i = 0; i < 3; i++) {
            for (int c = 1; c <= 3; c++) {
                assertThat(Double.doubleToRawLongBits(r.value(c, i))).as("row %d channel %d", i, c)
                        .isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(text[i][c - 1])));
            }
        }
        assertThat(r.rateHz()).isEqualTo(10.0);
    }

    @Test
    void serversLoadingOneDirectoryAtOnceAllSucceed() throws Exception {
        copyBundledData();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Callable<CsvRecordingLoader.Result>> loads = List.of(
                    () -> cache().load(data), () -> cache().load(data), () -> cache().load(data),
                    () -> cache().load(data));
            for (Future<CsvRecordingLoader.Result> f : pool.invokeAll(loads)) {
                assertThat(f.get().recordings()).hasSize(15);
                assertThat(byId(f.get()).get("3").value(1, 2)).isEqualTo(-0.295);
            }
        }
        try (var files = Files.list(cache)) {
            assertThat(files).hasSize(15);
        }
    }

    @Test
    void theCacheFolderIsNotListedAmongTheServedFiles() throws Exception {
        smallData("0,1.5\n0.5,2.5\n");
        cache().load(data);
        assertThat(cache).isDirectory();
        var listed = new FileRoot(data, Set.of(RecordingCache.FOLDER_NAME)).list("");
        assertThat(listed).extracting(FileEntry::name).containsExactly("a.csv");
    }

    @Test
    void noTemporaryFileIsLeftBehind() throws Exception {
        smallData("0,1.5\n0.5,2.5\n");
        cache().load(data);
        Path col = cache.resolve("a.csv.col");
        try (FileChannel ch = FileChannel.open(col, StandardOpenOption.READ)) {
            assertThat(ch.size()).isEqualTo(Files.size(col));
        }
        try (var files = Files.list(cache)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .noneMatch(n -> n.contains(ColumnFile.TEMP_INFIX));
        }
    }
}
