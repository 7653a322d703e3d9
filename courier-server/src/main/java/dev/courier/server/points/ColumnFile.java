package dev.courier.server.points;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32C;

/**
 * A recording converted from CSV into columns of samples, to be memory-mapped so that the server starts without
 * parsing and keeps no samples on its heap. One file per CSV; it names the size and modification time of the
 * CSV it came from, so a changed CSV is noticed with one {@code stat}. Little-endian, offsets in bytes:
 *
 * <pre>
 *  offset  size  field
 *       0     8  magic                "COURCOLS"
 *       8     4  version              1
 *      12     4  headerLengthBytes    where the first column starts; a multiple of 8
 *      16     8  sourceSizeBytes      size of the CSV this was converted from
 *      24     8  sourceModifiedNanos  modification time of that CSV, ns since the epoch
 *      32     8  fileLengthBytes      length of this file, so that a truncated one is told apart
 *      40     4  sampleCount          at least 2
 *      44     4  channelCount         c, at least 1
 *      48     8  startTimeSeconds     float64, the time of sample 0
 *      56     8  rateHz               float64, samples per second
 *      64     4  headerCrc32c         CRC32C of bytes [0, headerLengthBytes) with these 4 bytes as zero
 *      68     4  flags                bit 0: the CSV had a header row; other bits 0
 *      72  16*c  channel descriptors  +0 encoding u8, +1 decimalDigits u8, +2 six zero bytes,
 *                                     +8 columnOffsetBytes i64, a multiple of 8
 *       .     .  channel names        c times: u16 length, then that many bytes of UTF-8
 *       .     .  time title           with flag bit 0 only: u16 length, then the header's time column title
 *       .     .  zero padding to headerLengthBytes
 *
 *  columnOffsetBytes of each channel:
 *                sampleCount samples in the channel's encoding, then zero padding to a multiple of 8
 * </pre>
 *
 * <p>Encodings: {@link #ENCODING_FLOAT64} stores each double as is; {@link #ENCODING_INT16_DECIMAL} and
 * {@link #ENCODING_INT32_DECIMAL} store {@code k = value * 10^decimalDigits} as an integer and are read as
 * {@code k / 10^decimalDigits}, exact for decimal data (see {@link Decimals}); the bundled and generated ECG sets
 * take 2 bytes a sample instead of 8.
 *
 * <p>A file is written under a temporary name, forced to disk and renamed over the final name, so the final name
 * only ever holds a complete file. The samples carry no checksum (reading gigabytes at start-up would defeat the
 * purpose); a damaged header, a wrong length or layout, or another version is detected and the file rebuilt.
 */
final class ColumnFile {
    static final long MAGIC = 0x534C4F4352554F43L; // "COURCOLS" read as a little-endian int64
    /** Version 2 added the header-row flag and the time title (version 1 files are rebuilt). */
    static final int VERSION = 2;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 8;
    static final int HEADER_LENGTH_OFFSET = 12;
    static final int SOURCE_SIZE_OFFSET = 16;
    static final int SOURCE_MODIFIED_OFFSET = 24;
    static final int FILE_LENGTH_OFFSET = 32;
    static final int SAMPLE_COUNT_OFFSET = 40;
    static final int CHANNEL_COUNT_OFFSET = 44;
    static final int START_TIME_OFFSET = 48;
    static final int RATE_OFFSET = 56;
    static final int HEADER_CRC_OFFSET = 64;
    static final int FLAGS_OFFSET = 68;
    static final int FLAG_HEADER_ROW = 0x01;
    static final int CHANNELS_OFFSET = 72;

    static final int CHANNEL_DESCRIPTOR_BYTES = 16;
    static final int CHANNEL_ENCODING_OFFSET = 0;
    static final int CHANNEL_DIGITS_OFFSET = 1;
    static final int CHANNEL_COLUMN_OFFSET = 8;

    static final byte ENCODING_FLOAT64 = 0;
    static final byte ENCODING_INT16_DECIMAL = 1;
    static final byte ENCODING_INT32_DECIMAL = 2;

    /** No header is this long; a larger length field means the file is damaged. */
    static final int MAX_HEADER_BYTES = 1 << 20;
    static final String SUFFIX = ".col";
    private static final int FIRST_READ_BYTES = 4096;
    static final String TEMP_INFIX = ".tmp-";

    private ColumnFile() {
    }

    /** Why a column file cannot be used; the caller converts the CSV again. */
    static final class UnusableException extends Exception {
        private final boolean damaged;

        UnusableException(String message, boolean damaged) {
            super(message, null, false, false);
            this.damaged = damaged;
        }

        /** True when the file is damaged; false when it is merely out of date (CSV changed, other version). */
        boolean damaged() {
            return damaged;
        }
    }

    /** The CSV a column file stands for, as {@code stat} saw it. */
    record Source(Path csv, String id, long sizeBytes, long modifiedNanos) {
    }

    static int sampleBytes(byte encoding) {
        return switch (encoding) {
            case ENCODING_FLOAT64 -> 8;
            case ENCODING_INT16_DECIMAL -> 2;
            case ENCODING_INT32_DECIMAL -> 4;
            default -> throw new IllegalArgumentException("unknown column encoding " + encoding);
        };
    }

    private static long align8(long n) {
        return (n + 7) & ~7L;
    }

    /**
     * Writes {@code csv} as the column file {@code target}: under a temporary name in the same folder, forced to
     * disk, then renamed over {@code target} in one step.
     *
     * @return the length of the file written, in bytes
     */
    static long write(Path target, CsvRecordingLoader.Parsed csv, Source source) throws IOException {
        int channels = csv.columns().length;
        int samples = csv.sampleCount();
        Decimals.Encoding[] encodings = new Decimals.Encoding[channels];
        byte[][] names = new byte[channels][];
        long namesBytes = 0;
        for (int c = 0; c < channels; c++) {
            encodings[c] = Decimals.choose(csv.columns()[c], samples);
            names[c] = csv.channelNames().get(c).getBytes(StandardCharsets.UTF_8);
            if (names[c].length > 0xFFFF) {
                throw new IOException("channel name of " + names[c].length + " bytes in " + source.csv()
                        + " is too long for a column file");
            }
            namesBytes += 2 + names[c].length;
        }
        byte[] timeTitle = csv.timeTitle().map(t -> t.getBytes(StandardCharsets.UTF_8)).orElse(null);
        if (timeTitle != null) {
            if (timeTitle.length > 0xFFFF) {
                throw new IOException("time column title of " + timeTitle.length + " bytes in " + source.csv()
                        + " is too long for a column file");
            }
            namesBytes += 2 + timeTitle.length;
        }
        long headerLength = align8(CHANNELS_OFFSET + (long) channels * CHANNEL_DESCRIPTOR_BYTES + namesBytes);
        if (headerLength > MAX_HEADER_BYTES) {
            throw new IOException("the channel names of " + source.csv() + " are too long for a column file");
        }
        long[] offsets = new long[channels];
        long fileLength = headerLength;
        for (int c = 0; c < channels; c++) {
            offsets[c] = fileLength;
            fileLength += align8((long) samples * sampleBytes(encodings[c].encoding()));
        }

        ByteBuffer header = ByteBuffer.allocate((int) headerLength).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(MAGIC_OFFSET, MAGIC)
                .putInt(VERSION_OFFSET, VERSION)
                .putInt(HEADER_LENGTH_OFFSET, (int) headerLength)
                .putLong(SOURCE_SIZE_OFFSET, source.sizeBytes())
                .putLong(SOURCE_MODIFIED_OFFSET, source.modifiedNanos())
                .putLong(FILE_LENGTH_OFFSET, fileLength)
                .putInt(SAMPLE_COUNT_OFFSET, samples)
                .putInt(CHANNEL_COUNT_OFFSET, channels)
                .putDouble(START_TIME_OFFSET, csv.startTimeSeconds())
                .putDouble(RATE_OFFSET, csv.rateHz())
                .putInt(FLAGS_OFFSET, timeTitle != null ? FLAG_HEADER_ROW : 0);
        int at = CHANNELS_OFFSET;
        for (int c = 0; c < channels; c++) {
            header.put(at + CHANNEL_ENCODING_OFFSET, encodings[c].encoding())
                    .put(at + CHANNEL_DIGITS_OFFSET, (byte) encodings[c].decimalDigits())
                    .putLong(at + CHANNEL_COLUMN_OFFSET, offsets[c]);
            at += CHANNEL_DESCRIPTOR_BYTES;
        }
        for (byte[] name : names) {
            header.putShort(at, (short) name.length).put(at + 2, name);
            at += 2 + name.length;
        }
        if (timeTitle != null) {
            header.putShort(at, (short) timeTitle.length).put(at + 2, timeTitle);
        }
        header.putInt(HEADER_CRC_OFFSET, headerCrc(header));

        Path temp = target.resolveSibling(target.getFileName() + TEMP_INFIX
                + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                writeFully(out, header.clear());
                ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
                for (int c = 0; c < channels; c++) {
                    writeColumn(out, buffer, csv.columns()[c], samples, encodings[c]);
                }
                out.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        return fileLength;
    }

    private static void writeColumn(FileChannel out, ByteBuffer buffer, double[] values, int samples,
                                    Decimals.Encoding encoding) throws IOException {
        double scale = Decimals.powerOfTen(encoding.decimalDigits());
        int width = sampleBytes(encoding.encoding());
        buffer.clear();
        for (int i = 0; i < samples; i++) {
            if (buffer.remaining() < width) {
                writeFully(out, buffer.flip());
                buffer.clear();
            }
            switch (encoding.encoding()) {
                case ENCODING_INT16_DECIMAL -> buffer.putShort((short) Math.rint(values[i] * scale));
                case ENCODING_INT32_DECIMAL -> buffer.putInt((int) Math.rint(values[i] * scale));
                default -> buffer.putDouble(values[i]);
            }
        }
        long padding = align8((long) samples * width) - (long) samples * width;
        if (buffer.remaining() < padding) {
            writeFully(out, buffer.flip());
            buffer.clear();
        }
        for (long p = 0; p < padding; p++) {
            buffer.put((byte) 0);
        }
        writeFully(out, buffer.flip());
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    private static int headerCrc(ByteBuffer header) {
        CRC32C crc = new CRC32C();
        ByteBuffer copy = ByteBuffer.allocate(header.capacity()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(0, header, 0, header.capacity()).putInt(HEADER_CRC_OFFSET, 0);
        crc.update(copy);
        return (int) crc.getValue();
    }

    /**
     * Maps {@code file} as the recording of {@code source}. The mapping lives as long as the returned recording is
     * reachable (an automatic arena), so nothing has to be closed.
     *
     * @throws UnusableException when the file is not a complete column file of this version for exactly this
     *                           CSV (size and modification time); the message says why
     */
    static Recording open(Path file, Source source) throws IOException, UnusableException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long length = in.size();
            if (length < CHANNELS_OFFSET) {
                throw damaged(file, "only " + length + " bytes long");
            }
            // One read covers the header of any ordinary recording; a longer one takes a second.
            ByteBuffer fixed = readAt(in, 0, (int) Math.min(length, FIRST_READ_BYTES));
            if (fixed.getLong(MAGIC_OFFSET) != MAGIC) {
                throw damaged(file, "not a column file (wrong magic)");
            }
            if (fixed.getInt(VERSION_OFFSET) != VERSION) {
                throw new UnusableException(file + " is version " + fixed.getInt(VERSION_OFFSET) + ", not " + VERSION,
                        false);
            }
            int headerLength = fixed.getInt(HEADER_LENGTH_OFFSET);
            if (headerLength < CHANNELS_OFFSET || headerLength > MAX_HEADER_BYTES || headerLength % 8 != 0
                    || headerLength > length) {
                throw damaged(file, "header length " + headerLength + " does not fit a file of " + length
                        + " bytes");
            }
            ByteBuffer header = headerLength <= fixed.capacity() ? fixed.slice(0, headerLength)
                    .order(ByteOrder.LITTLE_ENDIAN) : readAt(in, 0, headerLength);
            int storedCrc = header.getInt(HEADER_CRC_OFFSET);
            if (headerCrc(header) != storedCrc) {
                throw damaged(file, "header checksum mismatch");
            }
            if (header.getLong(FILE_LENGTH_OFFSET) != length) {
                throw damaged(file, length + " bytes long, the header says " + header.getLong(FILE_LENGTH_OFFSET));
            }
            if (header.getLong(SOURCE_SIZE_OFFSET) != source.sizeBytes()
                    || header.getLong(SOURCE_MODIFIED_OFFSET) != source.modifiedNanos()) {
                throw new UnusableException(source.csv() + " changed since " + file + " was written", false);
            }
            return map(in, file, header, headerLength, length, source.id());
        }
    }

    private static Recording map(FileChannel in, Path file, ByteBuffer header, int headerLength, long length,
                                 String id) throws IOException, UnusableException {
        int samples = header.getInt(SAMPLE_COUNT_OFFSET);
        int channels = header.getInt(CHANNEL_COUNT_OFFSET);
        double start = header.getDouble(START_TIME_OFFSET);
        double rate = header.getDouble(RATE_OFFSET);
        if (samples < 2 || channels < 1
                || CHANNELS_OFFSET + (long) channels * CHANNEL_DESCRIPTOR_BYTES > headerLength
                || !Double.isFinite(start) || !(rate > 0) || !Double.isFinite(rate)) {
            throw damaged(file, "impossible header (" + samples + " samples, " + channels + " channels, rate "
                    + rate + " Hz)");
        }
        byte[] encodings = new byte[channels];
        int[] digits = new int[channels];
        long[] offsets = new long[channels];
        int at = CHANNELS_OFFSET;
        for (int c = 0; c < channels; c++) {
            encodings[c] = header.get(at + CHANNEL_ENCODING_OFFSET);
            digits[c] = header.get(at + CHANNEL_DIGITS_OFFSET);
            offsets[c] = header.getLong(at + CHANNEL_COLUMN_OFFSET);
            at += CHANNEL_DESCRIPTOR_BYTES;
            if (encodings[c] != ENCODING_FLOAT64 && encodings[c] != ENCODING_INT16_DECIMAL
                    && encodings[c] != ENCODING_INT32_DECIMAL) {
                throw damaged(file, "channel " + (c + 1) + " has unknown encoding " + encodings[c]);
            }
            if (digits[c] < 0 || digits[c] > Decimals.MAX_SCALED_DIGITS
                    || (encodings[c] == ENCODING_FLOAT64 && digits[c] != 0)) {
                throw damaged(file, "channel " + (c + 1) + " has " + digits[c] + " decimal digits");
            }
            long bytes = (long) samples * sampleBytes(encodings[c]);
            if (offsets[c] < headerLength || offsets[c] % 8 != 0 || offsets[c] > length - bytes) {
                throw damaged(file, "channel " + (c + 1) + " lies outside the file");
            }
        }
        int flags = header.getInt(FLAGS_OFFSET);
        if ((flags & ~FLAG_HEADER_ROW) != 0) {
            throw damaged(file, "unknown flags " + Integer.toHexString(flags));
        }
        List<String> names = new ArrayList<>(channels);
        for (int c = 0; c < channels; c++) {
            names.add(string(header, at, headerLength, file, "channel name " + (c + 1)));
            at += 2 + names.getLast().getBytes(StandardCharsets.UTF_8).length;
        }
        Optional<String> timeTitle = (flags & FLAG_HEADER_ROW) != 0
                ? Optional.of(string(header, at, headerLength, file, "time title")) : Optional.empty();
        MemorySegment mapped = in.map(FileChannel.MapMode.READ_ONLY, 0, length, Arena.ofAuto());
        Column[] columns = new Column[channels];
        for (int c = 0; c < channels; c++) {
            long bytes = (long) samples * sampleBytes(encodings[c]);
            columns[c] = new Column(mapped.asSlice(offsets[c], bytes), encodings[c], digits[c], samples);
        }
        return new Recording(id, names, start, rate, columns, timeTitle);
    }

    /** The u16-prefixed UTF-8 string at {@code at} of the header. */
    private static String string(ByteBuffer header, int at, int headerLength, Path file, String what)
            throws UnusableException {
        if (at + 2 > headerLength) {
            throw damaged(file, what + " runs past the header");
        }
        int n = Short.toUnsignedInt(header.getShort(at));
        if (at + 2 + n > headerLength) {
            throw damaged(file, what + " runs past the header");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(header.slice(at + 2, n)).toString();
        } catch (CharacterCodingException e) {
            throw damaged(file, what + " is not UTF-8");
        }
    }

    private static ByteBuffer readAt(FileChannel in, long position, int bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining()) {
            if (in.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("unexpected end of file");
            }
        }
        return buffer.clear();
    }

    private static UnusableException damaged(Path file, String why) {
        return new UnusableException(file + " is damaged: " + why, true);
    }
}
