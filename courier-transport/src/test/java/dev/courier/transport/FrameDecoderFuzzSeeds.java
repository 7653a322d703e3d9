package dev.courier.transport;

import static dev.courier.protocol.fuzz.SeedCorpus.hex;
import static dev.courier.transport.FrameDecoderFuzzTest.FLAG_CLIENT;
import static dev.courier.transport.FrameDecoderFuzzTest.FLAG_SMALL_LIMIT;

import dev.courier.protocol.ByteRange;
import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.FileEntry;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Hello;
import dev.courier.protocol.ListReply;
import dev.courier.protocol.Message;
import dev.courier.protocol.MessageWriter;
import dev.courier.protocol.PointBatchReply;
import dev.courier.protocol.PointBatchRequest;
import dev.courier.protocol.Sha256;
import dev.courier.protocol.StatRequest;
import dev.courier.protocol.UploadBegin;
import dev.courier.protocol.UploadReady;
import dev.courier.protocol.UploadWrite;
import dev.courier.protocol.fuzz.FuzzInput;
import dev.courier.protocol.fuzz.SeedCorpus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Writes the seed corpus of {@link FrameDecoderFuzzTest}: every frame of docs/protocol.md, read by the side it is
 * for and by the other, the doc's whole conversation cut into many reads, frames from {@link MessageWriter}, and
 * the edges (lengths 0, 5, 6, the limit and one over it, 2^32-1, frames cut short, lengths cut in two, counts and
 * strings that lie, big frames over several reads). Skipped unless {@code -Dcourier.fuzz.writeSeeds=true}; run it
 * after the doc or the writer changes: {@code mvn -o -q verify -pl courier-transport -am
 * -Dtest=FrameDecoderFuzzSeeds -Dsurefire.failIfNoSpecifiedTests=false -Dcourier.fuzz.writeSeeds=true}.
 */
@EnabledIfSystemProperty(named = SeedCorpus.WRITE_PROPERTY, matches = "true")
class FrameDecoderFuzzSeeds {
    /** A whole frame as the doc writes it (the pattern WireExamplesInDocsTest uses). */
    private static final Pattern FRAME =
            Pattern.compile("\\b[0-9a-f]{8} [0-9a-f]{2} [0-9a-f]{2} [0-9a-f]{8}(?: [0-9a-f]+)*");
    private static final int SERVER = 0;
    private static final int CLIENT = FLAG_CLIENT;
    private static final int[] ONE_READ = {};
    /** The STAT name length that makes the frame exactly {@link FrameDecoderFuzzTest#SMALL_MAX_FRAME_BYTES} long. */
    private static final int SMALL_NAME_AT_LIMIT = FrameDecoderFuzzTest.SMALL_MAX_FRAME_BYTES
            - (FrameDescriptor.HEADER_BYTES - FrameDescriptor.LENGTH_FIELD_BYTES) - 2;

    @Test
    void write() throws Exception {
        SeedCorpus corpus = SeedCorpus.of(FrameDecoderFuzzTest.class, "frames");
        List<byte[]> docFrames = docFrames();
        ByteArrayOutputStream conversation = new ByteArrayOutputStream();
        for (int i = 0; i < docFrames.size(); i++) {
            byte[] frame = docFrames.get(i);
            String name = String.format("doc-%02d-type-%02x", i, frame[FrameDescriptor.TYPE_OFFSET]);
            corpus.add(name + "-server", FuzzInput.encode(SERVER, ONE_READ, frame));
            corpus.add(name + "-client", FuzzInput.encode(CLIENT, ONE_READ, frame));
            conversation.writeBytes(frame);
        }
        byte[] all = conversation.toByteArray();
        corpus.add("doc-all-server-cut", FuzzInput.encode(SERVER, evenCuts(all.length, 15), all));
        corpus.add("doc-all-client-cut", FuzzInput.encode(CLIENT, evenCuts(all.length, 15), all));

        writerSeeds(corpus);
        edgeSeeds(corpus);
        corpus.write();
    }

    private static List<byte[]> docFrames() throws Exception {
        // Tests run in the module's directory; the doc is at the top of the project.
        Matcher m = FRAME.matcher(Files.readString(Path.of("..", "docs", "protocol.md")));
        List<byte[]> frames = new ArrayList<>();
        while (m.find()) {
            frames.add(hex(m.group()));
        }
        return frames;
    }

    private static void writerSeeds(SeedCorpus corpus) {
        byte[] sha = new byte[FrameDescriptor.SHA256_BYTES];
        Arrays.fill(sha, (byte) 0xab);
        corpus.add("writer-hello", FuzzInput.encode(SERVER, ONE_READ,
                frame(new Hello(0, FrameDescriptor.VERSION, 1 << 20, 1 << 16))));
        corpus.add("writer-point-batch", FuzzInput.encode(SERVER, ONE_READ,
                frame(new PointBatchRequest(3, "12", 2, new double[] {0, 0.004, Double.NaN, -0.0}))));
        corpus.add("writer-point-batch-values", FuzzInput.encode(CLIENT, ONE_READ,
                frame(new PointBatchReply(3, new int[] {0, 1}, new double[] {0, 0.004}, new double[] {-1.5, 2}))));
        corpus.add("writer-listing", FuzzInput.encode(CLIENT, ONE_READ, frame(new ListReply(4,
                List.of(new FileEntry("é/ü", true, 0, 1), new FileEntry("x".repeat(40), false, 1L << 40, -1))))));
        corpus.add("writer-upload-ready", FuzzInput.encode(CLIENT, ONE_READ, frame(new UploadReady(10, 7, 1 << 16,
                List.of(new ByteRange(0, 3), new ByteRange(1 << 20, 1 << 16))))));
        corpus.add("writer-error-unknown-code", FuzzInput.encode(CLIENT, ONE_READ,
                replaceErrorCode(frame(new ErrorReply(5, ErrorCode.INTERNAL, "from a newer peer")), 0xfffe)));

        // Frames big enough for the decoder's composite path, arriving in several reads (cuts are u16, so the
        // last read holds the frame's end).
        byte[] data = new byte[(66 << 10)];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        byte[] chunk = frame(new ChunkReply(7, 0, true, true, false, 0, Unpooled.wrappedBuffer(data)));
        corpus.add("writer-big-chunk-cut", FuzzInput.encode(CLIENT, evenCuts(chunk.length, 3), chunk));
        byte[] write = frame(new UploadWrite(11, 1, 0, 0, Unpooled.wrappedBuffer(data)));
        byte[] writeThenStat = concat(write, frame(new StatRequest(12, "a")));
        corpus.add("writer-big-upload-write-then-stat-cut",
                FuzzInput.encode(SERVER, new int[] {2, 4000, 65000, 65535},
                        writeThenStat));
        corpus.add("writer-upload-begin", FuzzInput.encode(SERVER, ONE_READ,
                frame(new UploadBegin(1, "a", 3, new Sha256(sha)))));
    }

    private static void edgeSeeds(SeedCorpus corpus) {
        byte[] ping = hex("0000000e 02 00 00000008 0102030405060708");
        corpus.add("empty", new byte[0]);
        corpus.add("length-0", FuzzInput.encode(SERVER, ONE_READ, hex("00000000")));
        corpus.add("length-5-below-header", FuzzInput.encode(SERVER, ONE_READ, hex("00000005 02 00 000000")));
        corpus.add("length-6-empty-ping", FuzzInput.encode(SERVER, ONE_READ, hex("00000006 02 00 00000001")));
        corpus.add("length-max-u32", FuzzInput.encode(CLIENT, ONE_READ, hex("ffffffff 25 00 00000001")));
        // With the small limit: a STAT of exactly the limit, and one byte more.
        byte[] atLimit = frame(new StatRequest(6, "n".repeat(SMALL_NAME_AT_LIMIT)));
        corpus.add("length-at-small-limit", FuzzInput.encode(FLAG_SMALL_LIMIT, ONE_READ, atLimit));
        byte[] overLimit = frame(new StatRequest(6, "n".repeat(SMALL_NAME_AT_LIMIT + 1)));
        corpus.add("length-over-small-limit", FuzzInput.encode(FLAG_SMALL_LIMIT, ONE_READ, overLimit));
        corpus.add("truncated-ping", FuzzInput.encode(SERVER, ONE_READ, Arrays.copyOf(ping, ping.length - 1)));
        corpus.add("truncated-length", FuzzInput.encode(SERVER, ONE_READ, hex("000000")));
        corpus.add("split-in-length", FuzzInput.encode(SERVER, new int[] {1, 2, 3}, concat(ping, ping)));
        corpus.add("split-byte-by-byte", FuzzInput.encode(SERVER, evenCuts(ping.length, 13), ping));
        corpus.add("unknown-type", FuzzInput.encode(SERVER, ONE_READ, hex("00000006 ff 00 00000001")));
        corpus.add("unknown-type-then-ping", FuzzInput.encode(CLIENT, ONE_READ,
                concat(hex("00000008 7f 00 00000001 0000"), ping)));
        corpus.add("payload-short-then-ping", FuzzInput.encode(SERVER, ONE_READ,
                concat(hex("0000000a 02 00 00000001 01020304"), ping)));
        corpus.add("payload-long", FuzzInput.encode(SERVER, ONE_READ, hex("0000000f 02 00 00000001 0102030405060708 09")));
        corpus.add("count-lies", FuzzInput.encode(CLIENT, ONE_READ, hex("0000000a 13 00 00000003 ffffffff")));
        corpus.add("str16-lies", FuzzInput.encode(SERVER, ONE_READ, hex("0000000a 22 00 00000006 ffff 6161")));
        corpus.add("str16-not-utf8", FuzzInput.encode(SERVER, ONE_READ, hex("0000000b 22 00 00000006 0003 c3 28 61")));
        corpus.add("hello-bad-magic", FuzzInput.encode(SERVER, ONE_READ,
                hex("00000014 01 00 00000000 48545450 0001 01000016 01000004")));
        corpus.add("hello-zero-limits", FuzzInput.encode(CLIENT, ONE_READ,
                hex("00000014 01 00 00000000 434f5552 0001 00000000 00000000")));
        corpus.add("window-zero", FuzzInput.encode(SERVER, ONE_READ, hex("0000000a 29 00 0000000e 00000000")));
        corpus.add("http-get", FuzzInput.encode(SERVER, ONE_READ, "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes()));
    }

    private static byte[] frame(Message m) {
        ByteBuf out = Unpooled.buffer();
        try {
            MessageWriter.write(m, out);
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
            m.release();
        }
    }

    /** An ERROR frame with its u16 code replaced: codes a newer peer may send. */
    private static byte[] replaceErrorCode(byte[] frame, int code) {
        frame[FrameDescriptor.PAYLOAD_OFFSET] = (byte) (code >>> 8);
        frame[FrameDescriptor.PAYLOAD_OFFSET + 1] = (byte) code;
        return frame;
    }

    /** {@code n} cuts spread evenly over {@code length} bytes. */
    private static int[] evenCuts(int length, int n) {
        int[] cuts = new int[n];
        for (int i = 0; i < n; i++) {
            cuts[i] = (int) ((long) length * (i + 1) / (n + 1));
        }
        return cuts;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
