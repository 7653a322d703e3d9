package dev.courier.server.legacy;

import static dev.courier.protocol.fuzz.SeedCorpus.hex;

import dev.courier.protocol.fuzz.FuzzInput;
import dev.courier.protocol.fuzz.SeedCorpus;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Writes the seed corpus of {@link LegacyDecoderFuzzTest}: the requests of docs/protocol.md ("Legacy protocol"),
 * every type, names of 1 and {@link LegacyDescriptor#MAX_NAME_BYTES} bytes and one byte over with no NUL, requests
 * cut short, split inside their fields and merged in one read. Skipped unless {@code -Dcourier.fuzz.writeSeeds=true}:
 * {@code mvn -o -q verify -pl courier-server -am -Dtest=LegacyDecoderFuzzSeeds -Dsurefire.failIfNoSpecifiedTests=false
 * -Dcourier.fuzz.writeSeeds=true}.
 */
@EnabledIfSystemProperty(named = SeedCorpus.WRITE_PROPERTY, matches = "true")
class LegacyDecoderFuzzSeeds {
    private static final int[] ONE_READ = {};

    @Test
    void write() {
        SeedCorpus corpus = SeedCorpus.of(LegacyDecoderFuzzTest.class, "requests");
        byte[] data = hex("01000000 03000000 fca9f1d24d62803f 01000000 00000000"); // the doc's DATA
        byte[] sizeQuery = hex("02000000 00000000 0000000000000000 00000000 00000000 332e637376 00"); // "3.csv"
        byte[] quit = hex("03000000");
        byte[] unknown = hex("00000000");
        corpus.add("empty", new byte[0]);
        corpus.add("doc-data", FuzzInput.encode(0, ONE_READ, data));
        corpus.add("doc-file-size", FuzzInput.encode(0, ONE_READ, sizeQuery));
        corpus.add("file-chunk", FuzzInput.encode(0, ONE_READ, file(1024, 4096, "a/b.bin")));
        corpus.add("file-negative", FuzzInput.encode(0, ONE_READ, file(-1, -1, "x")));
        corpus.add("quit", FuzzInput.encode(0, ONE_READ, quit));
        corpus.add("unknown-0", FuzzInput.encode(0, ONE_READ, unknown));
        corpus.add("unknown-7", FuzzInput.encode(0, ONE_READ, hex("07000000")));
        corpus.add("name-empty", FuzzInput.encode(0, ONE_READ, file(0, 0, "")));
        corpus.add("name-max", FuzzInput.encode(0, ONE_READ, file(0, 0, "n".repeat(LegacyDescriptor.MAX_NAME_BYTES))));
        byte[] noNul = file(0, 0, "n".repeat(LegacyDescriptor.MAX_NAME_BYTES + 1));
        corpus.add("name-over-max-no-nul", FuzzInput.encode(0, ONE_READ, Arrays.copyOf(noNul, noNul.length - 1)));
        corpus.add("name-not-utf8", FuzzInput.encode(0, ONE_READ, concat(Arrays.copyOf(sizeQuery, 24), hex("c328ff00"))));
        corpus.add("name-unterminated", FuzzInput.encode(0, ONE_READ, Arrays.copyOf(sizeQuery, sizeQuery.length - 1)));
        corpus.add("data-truncated", FuzzInput.encode(0, ONE_READ, Arrays.copyOf(data, 23)));
        corpus.add("type-truncated", FuzzInput.encode(0, ONE_READ, hex("010000")));
        corpus.add("split-in-fields", FuzzInput.encode(0, new int[] {1, 5, 9, 17, 23, 25, 30, 40},
                concat(data, sizeQuery)));
        byte[] many = concat(concat(data, sizeQuery), concat(concat(unknown, data), concat(quit, data)));
        corpus.add("merged", FuzzInput.encode(0, ONE_READ, many));
        corpus.add("merged-cut", FuzzInput.encode(0, new int[] {3, 24, 26, 50, 52, 56, 60, 79, 82}, many));
        corpus.add("name-max-split", FuzzInput.encode(0, new int[] {24, 2000, 4119, 4120},
                file(0, 0, "n".repeat(LegacyDescriptor.MAX_NAME_BYTES))));
        corpus.add("http-get", FuzzInput.encode(0, ONE_READ,
                "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        corpus.write();
    }

    /** A FILE request by the layout of {@link LegacyDescriptor}, padding zero. */
    private static byte[] file(long offsetBytes, int lengthBytes, String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(LegacyDescriptor.FILE_NAME_OFFSET + n.length + 1)
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(LegacyDescriptor.TYPE_OFFSET, LegacyDescriptor.TYPE_FILE)
                .putLong(LegacyDescriptor.FILE_OFFSET_OFFSET, offsetBytes)
                .putInt(LegacyDescriptor.FILE_LENGTH_OFFSET, lengthBytes)
                .put(LegacyDescriptor.FILE_NAME_OFFSET, n);
        return b.array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
