package dev.courier.server.points;

import dev.courier.protocol.fuzz.SeedCorpus;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes the seed corpora of {@link CsvRecordingLoaderFuzzTest} and {@link ColumnFileFuzzTest}: the first rows of
 * a bundled recording, CSVs with and without a header, every line ending, blank lines, exponents, non-ASCII names,
 * and each rule broken once (one row, a ragged row, time that goes back or jumps, NaN, not UTF-8, a wide row); and
 * the column files {@link ColumnFile#write} makes of the good ones (every encoding), whole, cut short and with one
 * field of the header spoiled. Skipped unless {@code -Dcourier.fuzz.writeSeeds=true}: {@code mvn -o -q verify
 * -pl courier-server -am -Dtest=PointsFuzzSeeds -Dsurefire.failIfNoSpecifiedTests=false
 * -Dcourier.fuzz.writeSeeds=true}.
 */
@EnabledIfSystemProperty(named = SeedCorpus.WRITE_PROPERTY, matches = "true")
class PointsFuzzSeeds {
    private static final int ALL_REPAIRS = ColumnFileFuzzTest.REPAIR_LENGTH | ColumnFileFuzzTest.REPAIR_CRC
            | ColumnFileFuzzTest.SOURCE_FROM_HEADER;

    @TempDir
    Path dir;

    @Test
    void write() throws Exception {
        SeedCorpus csv = SeedCorpus.of(CsvRecordingLoaderFuzzTest.class, "csv");
        SeedCorpus columns = SeedCorpus.of(ColumnFileFuzzTest.class, "columns");
        String bundled = Files.readAllLines(Path.of(System.getProperty("courier.data.dir"), "3.csv")).stream()
                .limit(200).collect(Collectors.joining("\n", "", "\n"));
        List<String[]> good = List.of(
                new String[] {"bundled-3-head", bundled},
                new String[] {"header", "time,ecg1,ecg2\n0,0.635,-0.64\n0.004,0.68,-1.28\n0.008,0.63,-1.92\n"},
                new String[] {"header-non-ascii", "t,é (mV),ü\n0,1,2\n0.5,3,4\n"},
                new String[] {"crlf", "0,1\r\n1,2\r\n2,3\r\n"},
                new String[] {"cr-only", "0,1\r1,2\r2,3"},
                new String[] {"blank-lines", "\n0,1\n\n1,2\n   \n2,3\n"},
                new String[] {"exponents-spaces", " 0 , 1e-3\n1.0E0, -2.5e+2 \n2,3\n"},
                new String[] {"int32-range", "0,123456.789\n1,-98765.4321\n2,0.0001\n"},
                new String[] {"float64-only", "0,0.1234567890123\n1,-0.0\n2,1e300\n"},
                new String[] {"two-rows", "10,1\n10.25,2\n"});
        for (String[] g : good) {
            byte[] bytes = g[1].getBytes(StandardCharsets.UTF_8);
            csv.add(g[0], bytes);
            addColumnFiles(columns, g[0], bytes);
        }
        csv.add("empty", new byte[0]);
        csv.add("header-only", "time,a\n".getBytes(StandardCharsets.US_ASCII));
        csv.add("one-row", "0,1\n".getBytes(StandardCharsets.US_ASCII));
        csv.add("ragged", "0,1,2\n1,2\n".getBytes(StandardCharsets.US_ASCII));
        csv.add("time-back", "0,1\n1,2\n0.5,3\n".getBytes(StandardCharsets.US_ASCII));
        csv.add("time-jumps", "0,1\n1,2\n5,3\n".getBytes(StandardCharsets.US_ASCII));
        csv.add("nan", "0,1\n1,NaN\n".getBytes(StandardCharsets.US_ASCII));
        csv.add("infinity", "0,1\n1,Infinity\n".getBytes(StandardCharsets.US_ASCII));
        csv.add("not-a-number", "0,1\n1,abc\n".getBytes(StandardCharsets.US_ASCII));
        csv.add("one-column", "0\n1\n".getBytes(StandardCharsets.US_ASCII));
        csv.add("not-utf8", new byte[] {'0', ',', (byte) 0xc3, (byte) 0x28, '\n', '1', ',', '2', '\n'});
        csv.add("wide-row", ("0" + ",0".repeat(2000) + "\n1" + ",1".repeat(2000) + "\n")
                .getBytes(StandardCharsets.US_ASCII));
        csv.write();
        columns.write();
    }

    /** The column file of {@code csvBytes}, whole and spoiled in the ways {@link ColumnFile#open} checks for. */
    private void addColumnFiles(SeedCorpus columns, String name, byte[] csvBytes) throws Exception {
        Path csv = dir.resolve(name + ".csv");
        Files.write(csv, csvBytes);
        Path col = dir.resolve(name + ".csv" + ColumnFile.SUFFIX);
        ColumnFile.write(col, CsvRecordingLoader.parse(csv), new ColumnFile.Source(csv, name, 1234, 5678));
        byte[] file = Files.readAllBytes(col);
        columns.add(name, withFlags(ColumnFileFuzzTest.SOURCE_FROM_HEADER, file));
        columns.add(name + "-stale", withFlags(0, file));
        columns.add(name + "-truncated", withFlags(ALL_REPAIRS, Arrays.copyOf(file, file.length - 8)));
        columns.add(name + "-bad-crc", withFlags(ColumnFileFuzzTest.SOURCE_FROM_HEADER, spoil(file, 20, 1)));
        columns.add(name + "-version-2", withFlags(ALL_REPAIRS, put(file, ColumnFile.VERSION_OFFSET, 2)));
        columns.add(name + "-many-channels", withFlags(ALL_REPAIRS, put(file, ColumnFile.CHANNEL_COUNT_OFFSET, 1000)));
        columns.add(name + "-many-samples", withFlags(ALL_REPAIRS, put(file, ColumnFile.SAMPLE_COUNT_OFFSET,
                Integer.MAX_VALUE)));
        columns.add(name + "-encoding-9", withFlags(ALL_REPAIRS,
                spoil(file, ColumnFile.CHANNELS_OFFSET + ColumnFile.CHANNEL_ENCODING_OFFSET, 9)));
        columns.add(name + "-column-outside", withFlags(ALL_REPAIRS,
                put(file, ColumnFile.CHANNELS_OFFSET + ColumnFile.CHANNEL_COLUMN_OFFSET, file.length)));
    }

    private static byte[] withFlags(int flags, byte[] file) {
        byte[] b = new byte[file.length + 1];
        b[0] = (byte) flags;
        System.arraycopy(file, 0, b, 1, file.length);
        return b;
    }

    private static byte[] spoil(byte[] file, int at, int xor) {
        byte[] b = file.clone();
        b[at] ^= (byte) xor;
        return b;
    }

    private static byte[] put(byte[] file, int at, int value) {
        byte[] b = file.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
        return b;
    }
}
