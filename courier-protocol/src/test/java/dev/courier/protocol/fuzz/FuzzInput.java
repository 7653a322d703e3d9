package dev.courier.protocol.fuzz;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The input of a stream decoder's fuzz target: a flags byte for the target's own choices, the points at which to
 * cut the byte stream into reads, and the stream. The fuzzer mutates all three, so it chooses where the reads split
 * the frames as well as what the frames hold.
 *
 * <pre>
 *  offset  size  field
 *       0     1  flags     the target's (which side decodes, which limit applies, ...)
 *       1     1  cuts      k, 0 to 15 (the high four bits are ignored)
 *       2  2*k   cut       u16 big-endian each, taken modulo (stream length + 1)
 *       .     .  stream    the bytes that arrive, read by read
 * </pre>
 *
 * Missing header bytes read as zero, so every byte array is an input. Immutable; thread-safe.
 *
 * @param flags  the flags byte, 0 to 255
 * @param reads  the stream cut at the cut points, in order, none empty; together exactly the stream
 * @param stream the whole stream, as it would arrive in one read
 */
public record FuzzInput(int flags, List<byte[]> reads, byte[] stream) {
    /**
     * The largest input a target accepts; a longer one is skipped. It keeps one execution fast and, with the
     * targets' allocation budgets, makes a decoder that allocates by a length it did not check stand out.
     */
    public static final int MAX_INPUT_BYTES = 128 << 10;
    /**
     * How long one execution of a target may take (its {@code @Timeout}, which Jazzer applies to each input when
     * fuzzing and JUnit to each corpus file when replaying): far above the milliseconds an input takes, even under
     * PARANOID leak detection on a loaded machine, so that only a hang reaches it.
     */
    public static final int EXECUTION_TIMEOUT_SECONDS = 10;
    /** The most cut points an input can name. */
    public static final int MAX_CUTS = 15;

    public FuzzInput {
        reads = List.copyOf(reads);
    }

    /** {@code data} read as an input. */
    public static FuzzInput parse(byte[] data) {
        int flags = data.length > 0 ? data[0] & 0xFF : 0;
        int k = data.length > 1 ? data[1] & MAX_CUTS : 0;
        int headerBytes = Math.min(data.length, 2 + 2 * k);
        byte[] stream = Arrays.copyOfRange(data, headerBytes, data.length);
        int[] cuts = new int[k];
        for (int i = 0; i < k; i++) {
            int at = 2 + 2 * i;
            int cut = at + 1 < headerBytes ? ((data[at] & 0xFF) << 8) | (data[at + 1] & 0xFF) : 0;
            cuts[i] = cut % (stream.length + 1);
        }
        Arrays.sort(cuts);
        List<byte[]> reads = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            if (cut > from) {
                reads.add(Arrays.copyOfRange(stream, from, cut));
                from = cut;
            }
        }
        if (from < stream.length) {
            reads.add(Arrays.copyOfRange(stream, from, stream.length));
        }
        return new FuzzInput(flags, reads, stream);
    }

    /** The bytes of an input with these flags and cut points (each below 65536), for writing seeds. */
    public static byte[] encode(int flags, int[] cuts, byte[] stream) {
        if (cuts.length > MAX_CUTS) {
            throw new IllegalArgumentException("at most " + MAX_CUTS + " cuts, not " + cuts.length);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(2 + 2 * cuts.length + stream.length);
        out.write(flags);
        out.write(cuts.length);
        for (int cut : cuts) {
            if (cut < 0 || cut > 0xFFFF) {
                throw new IllegalArgumentException("cut " + cut + " is not a u16");
            }
            out.write(cut >>> 8);
            out.write(cut);
        }
        out.writeBytes(stream);
        return out.toByteArray();
    }
}
