package dev.courier.protocol;

import static dev.courier.protocol.Frames.assertSameMessage;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * Every message type against bytes worked out by hand from the layouts in {@link MessageType} and
 * {@link FrameDescriptor}: encoding gives exactly those bytes, decoding them gives the message back. The hex
 * strings are those of {@code docs/protocol.md} ({@link WireExamples}).
 */
class MessageLayoutTest {
    private static final long MODIFIED_MILLIS = 1_700_000_000_000L;
    /** SHA-256 of "abc", the content of "a/abc.txt" in the examples. */
    private static final Sha256 SHA256_ABC =
            Sha256.ofHex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    /** SHA-256 of "abcdone", the 7 bytes uploaded as "notes.txt". */
    private static final Sha256 SHA256_ABCDONE =
            Sha256.ofHex("e790620f56e5ff47106a839bfd17e6e2f337169dc2828e991d8091d4de92e9f0");
    private static final long UPLOAD_ID = 0x0123456789abcdefL;
    /** The default server frame limit (1 MiB + 64) less the 26 bytes of an UPLOAD_WRITE that are not data. */
    private static final int MAX_WRITE_BYTES = (1 << 20) + 64 - 26;

    @Test
    void clientHelloHasDocumentedLayout() {
        assertLayout(new Hello(0, 1, (16 << 20) + 22, (16 << 20) + 4), WireExamples.CLIENT_HELLO);
    }

    @Test
    void serverHelloHasDocumentedLayout() {
        assertLayout(new Hello(0, 1, (1 << 20) + 64, 8 << 20), WireExamples.SERVER_HELLO);
    }

    @Test
    void clientHelloWithTokenHasDocumentedLayout() {
        assertLayout(new Hello(0, 1, (16 << 20) + 22, (16 << 20) + 4).withToken(new Secret("ct_example")),
                WireExamples.CLIENT_HELLO_WITH_TOKEN);
    }

    @Test
    void rateLimitedErrorCarriesItsRetryAfter() {
        assertLayout(new ErrorReply(1, ErrorCode.RATE_LIMITED, "rate limited", 250), WireExamples.ERROR_RATE_LIMITED);
    }

    @Test
    void pingHasDocumentedLayout() {
        assertLayout(new Ping(8, 0x0102030405060708L), WireExamples.PING);
    }

    @Test
    void pongHasDocumentedLayout() {
        assertLayout(new Pong(8, 0x0102030405060708L), WireExamples.PONG);
    }

    @Test
    void pointRequestForAnotherRecordDiffersOnlyInIdAndRecord() {
        assertLayout(new PointRequest(2, "9", 0.008, 1), WireExamples.POINT_UNKNOWN_RECORD);
    }

    @Test
    void errorHasDocumentedLayout() {
        assertLayout(new ErrorReply(2, ErrorCode.UNKNOWN_RECORD, "no record '9'"), WireExamples.ERROR_UNKNOWN_RECORD);
    }

    @Test
    void tlsRequiredHasDocumentedLayout() {
        assertLayout(new ErrorReply(0, ErrorCode.TLS_REQUIRED, "TLS required: connect with --tls or --ca FILE"),
                WireExamples.ERROR_TLS_REQUIRED);
    }

    @Test
    void pointRequestHasDocumentedLayout() {
        assertLayout(new PointRequest(1, "3", 0.008, 1), WireExamples.POINT);
    }

    @Test
    void pointReplyHasDocumentedLayout() {
        assertLayout(new PointReply(1, -0.295, 2, 0.008), WireExamples.POINT_VALUE);
    }

    @Test
    void pointValueWrittenFromItsFieldsHasDocumentedLayout() {
        ByteBuf out = Unpooled.buffer();
        try {
            MessageWriter.writePointValue(1, -0.295, 2, 0.008, out);
            assertThat(Hex.of(out)).isEqualTo(Hex.compact(WireExamples.POINT_VALUE));
        } finally {
            out.release();
        }
    }

    @Test
    void pointBatchRequestHasDocumentedLayout() {
        assertLayout(new PointBatchRequest(3, "3", 2, new double[] {0.0, 0.008}), WireExamples.POINT_BATCH);
    }

    @Test
    void pointBatchReplyHasDocumentedLayout() {
        assertLayout(new PointBatchReply(3, new int[] {0, 2}, new double[] {0.0, 0.008}, new double[] {-0.305, -0.26}),
                WireExamples.POINT_BATCH_VALUES);
    }

    @Test
    void emptyBatchIsACountOfZero() {
        assertLayout(new PointBatchRequest(3, "3", 2, new double[0]), "0000000e 12 00 00000003 0002 01 33 00000000");
        assertLayout(new PointBatchReply(3, new int[0], new double[0], new double[0]),
                "0000000a 13 00 00000003 00000000");
    }

    @Test
    void listOfTheRootHasAnEmptyPath() {
        assertLayout(new ListRequest(4, ""), WireExamples.LIST_ROOT);
    }

    @Test
    void listRequestHasDocumentedLayout() {
        assertLayout(new ListRequest(5, "logs"), WireExamples.LIST_LOGS);
    }

    @Test
    void listingHasDocumentedLayout() {
        assertLayout(new ListReply(4, List.of(
                        new FileEntry("a", true, 0, MODIFIED_MILLIS),
                        new FileEntry("b.txt", false, 1024, MODIFIED_MILLIS))),
                WireExamples.LISTING);
    }

    @Test
    void emptyListingIsACountOfZero() {
        assertLayout(new ListReply(4, List.of()), "0000000a 21 00 00000004 00000000");
    }

    @Test
    void statRequestHasDocumentedLayout() {
        assertLayout(new StatRequest(6, "b.txt"), WireExamples.STAT);
    }

    @Test
    void statReplyHasDocumentedLayout() {
        assertLayout(new StatReply(6, 1024, MODIFIED_MILLIS), WireExamples.STAT_RESULT);
    }

    @Test
    void readRequestHasDocumentedLayout() {
        assertLayout(new ReadRequest(7, "b.txt", 1020, 65536), WireExamples.READ);
    }

    @Test
    void refetchIsAFlagOfReadAndReadStream() {
        assertLayout(new ReadRequest(8, "b.txt", 1020, 65536, true), WireExamples.READ_REFETCH);
        assertLayout(new StreamRequest(15, "big.bin", 4096, 4096, 8192, 4096, 1 << 20, MODIFIED_MILLIS, true),
                WireExamples.READ_STREAM_REFETCH);
    }

    @Test
    void chunkWithoutCrcHasDocumentedLayout() {
        assertLayout(new ChunkReply(7, 1020, true, false, 0, ascii("done")), WireExamples.CHUNK);
    }

    @Test
    void chunkWithCrcHasDocumentedLayout() {
        assertThat(crc32c("done")).as("the example's crc32c").isEqualTo(0x053620cb);

        assertLayout(new ChunkReply(7, 1020, true, true, 0x053620cb, ascii("done")), WireExamples.CHUNK_WITH_CRC);
    }

    @Test
    void chunkFlagsAreIndependentBits() {
        assertLayout(new ChunkReply(7, 0, false, false, 0, ascii("x")),
                "00000013 25 00 00000007 0000000000000000 00000000 78");
        assertLayout(new ChunkReply(7, 0, false, true, -1, ascii("x")),
                "00000013 25 02 00000007 0000000000000000 ffffffff 78");
    }

    @Test
    void endIsAFlagBitOfItsOwn() {
        assertLayout(new ChunkReply(7, 0, false, true, false, 0, ascii("x")),
                "00000013 25 08 00000007 0000000000000000 00000000 78");
    }

    @Test
    void streamRequestHasDocumentedLayout() {
        assertLayout(new StreamRequest(13, "a/abc.txt", 0, 3, 65536, 4096, 3, MODIFIED_MILLIS),
                WireExamples.READ_STREAM);
        assertLayout(new StreamRequest(14, "big.bin", 0, 1 << 20, 8192, 4096, 1 << 20, MODIFIED_MILLIS),
                WireExamples.READ_STREAM_BIG);
    }

    @Test
    void streamChunkHasDocumentedLayout() {
        assertThat(crc32c("abc")).as("the example's crc32c").isEqualTo(0x364b3fb7);

        assertLayout(new ChunkReply(13, 0, true, true, true, 0x364b3fb7, ascii("abc")), WireExamples.STREAM_CHUNK);
    }

    @Test
    void windowHasDocumentedLayout() {
        assertLayout(new WindowUpdate(14, 65536), WireExamples.WINDOW);
    }

    @Test
    void cancelIsAHeaderWithoutPayload() {
        assertLayout(new CancelStream(14), WireExamples.CANCEL);
    }

    @Test
    void endOfACancelledStreamIsAnEmptyChunkWithTheCrcOfNoBytes() {
        assertThat(crc32c("")).as("the CRC32C of no bytes").isZero();

        assertLayout(new ChunkReply(14, 20480, false, true, true, 0, ascii("")), WireExamples.CANCELLED_END);
    }

    @Test
    void streamChunkHeaderCarriesTheEndFlag() {
        ByteBuf out = Unpooled.buffer();
        try {
            MessageWriter.writeChunkHeader(13, 0, 3, true, true, true, 0x364b3fb7, out);
            String whole = Hex.compact(WireExamples.STREAM_CHUNK);
            assertThat(Hex.of(out)).isEqualTo(whole.substring(0, whole.length() - "616263".length()));
        } finally {
            out.release();
        }
    }

    @Test
    void chunkHeaderForZeroCopyIsAnEncodedChunkWithoutItsData() {
        ByteBuf out = Unpooled.buffer();
        try {
            MessageWriter.writeChunkHeader(7, 1020, 4, true, false, true, 0x053620cb, out);
            assertThat(Hex.of(out)).isEqualTo(Hex.compact(WireExamples.CHUNK_HEADER));
            assertThat(out.readableBytes()).isEqualTo(FrameDescriptor.CHUNK_OVERHEAD_BYTES);
        } finally {
            out.release();
        }
    }

    @Test
    void digestRequestHasDocumentedLayout() {
        assertLayout(new DigestRequest(9, "a/abc.txt"), WireExamples.DIGEST);
    }

    @Test
    void digestRequestCarriesTheRecomputeFlag() {
        // The documented example with 0x04 in the flags byte.
        assertLayout(new DigestRequest(9, "a/abc.txt", true), "00000011 26 04 00000009 0009 612f6162632e747874");
    }

    @Test
    void digestReplyHasDocumentedLayout() {
        assertThat(sha256("abc")).as("the example's SHA-256").isEqualTo(SHA256_ABC);

        assertLayout(new DigestReply(9, 3, MODIFIED_MILLIS, SHA256_ABC), WireExamples.DIGEST_RESULT);
    }

    @Test
    void uploadBeginHasDocumentedLayout() {
        assertThat(sha256("abcdone")).as("the example's SHA-256").isEqualTo(SHA256_ABCDONE);

        assertLayout(new UploadBegin(10, "notes.txt", 7, SHA256_ABCDONE), WireExamples.UPLOAD_BEGIN);
    }

    @Test
    void uploadReadyHasDocumentedLayout() {
        assertLayout(new UploadReady(10, UPLOAD_ID, MAX_WRITE_BYTES, List.of(new ByteRange(0, 3))),
                WireExamples.UPLOAD_READY);
    }

    @Test
    void uploadReadyForANewUploadHasACountOfZero() {
        assertLayout(new UploadReady(10, UPLOAD_ID, MAX_WRITE_BYTES, List.of()),
                "00000016 31 00 0000000a 0123456789abcdef 00100026 00000000");
    }

    @Test
    void uploadWriteHasDocumentedLayout() {
        assertThat(crc32c("done")).as("the example's crc32c").isEqualTo(0x053620cb);

        assertLayout(new UploadWrite(11, UPLOAD_ID, 3, 0x053620cb, ascii("done")), WireExamples.UPLOAD_WRITE);
    }

    @Test
    void uploadWriteHeaderIsAnEncodedWriteWithoutItsData() {
        ByteBuf out = Unpooled.buffer();
        try {
            MessageWriter.writeUploadWriteHeader(11, UPLOAD_ID, 3, 4, 0x053620cb, out);
            String whole = Hex.compact(WireExamples.UPLOAD_WRITE);
            assertThat(Hex.of(out)).isEqualTo(whole.substring(0, whole.length() - "646f6e65".length()));
            assertThat(out.readableBytes()).isEqualTo(FrameDescriptor.UPLOAD_WRITE_OVERHEAD_BYTES);
        } finally {
            out.release();
        }
    }

    @Test
    void uploadAckHasDocumentedLayout() {
        assertLayout(new UploadAck(11, 3, 4), WireExamples.UPLOAD_ACK);
    }

    @Test
    void uploadCommitHasDocumentedLayout() {
        assertLayout(new UploadCommit(12, UPLOAD_ID), WireExamples.UPLOAD_COMMIT);
    }

    @Test
    void uploadCommitWithItsSha256HasDocumentedLayout() {
        assertLayout(new UploadCommit(12, UPLOAD_ID, Optional.of(SHA256_ABCDONE)), WireExamples.UPLOAD_COMMIT_SHA256);
    }

    @Test
    void uploadDoneHasDocumentedLayout() {
        assertLayout(new UploadDone(12, 7, SHA256_ABCDONE), WireExamples.UPLOAD_DONE);
    }

    @Test
    void nonAsciiNameIsCountedInUtf8Bytes() {
        // "é" is U+00E9, two bytes in UTF-8: c3 a9.
        assertLayout(new StatRequest(6, "é.txt"), WireExamples.STAT_NON_ASCII);
    }

    @Test
    void characterOutsideTheBasicPlaneIsFourUtf8Bytes() {
        // U+1F4C8 (chart emoji) is f0 9f 93 88.
        assertLayout(new PointRequest(1, "\uD83D\uDCC8", 0.5, 65535),
                "00000015 10 00 00000001 ffff 3fe0000000000000 04 f09f9388");
    }

    @Test
    void requestIdUsesAllThirtyTwoBits() {
        assertLayout(new Ping(-1, 0), "0000000e 02 00 ffffffff 0000000000000000");
        assertLayout(new Pong(0x80000000, -1L), "0000000e 03 00 80000000 ffffffffffffffff");
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, US_ASCII);
    }

    private static int crc32c(String s) {
        CRC32C crc = new CRC32C();
        crc.update(s.getBytes(US_ASCII));
        return (int) crc.getValue();
    }

    private static Sha256 sha256(String s) {
        try {
            return new Sha256(MessageDigest.getInstance("SHA-256").digest(s.getBytes(US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Encodes {@code message} to exactly {@code hex}, and decodes {@code hex} to an equal message. */
    @Test
    void recordsHasDocumentedLayout() {
        assertLayout(new RecordsRequest(15, 0), WireExamples.RECORDS);
    }

    @Test
    void recordsResultHasDocumentedLayout() {
        RecordEntry three = new RecordEntry("3", 250, 15000, 0, OptionalLong.empty(), Optional.empty(), List.of(
                new RecordEntry.ChannelEntry("ecg1", "mV", ""), new RecordEntry.ChannelEntry("ecg2", "mV", "")));

        assertLayout(new RecordsReply(15, 1, List.of(three)), WireExamples.RECORDS_RESULT);
        assertThat(three.wireBytes()).as("the entry's counted bytes")
                .isEqualTo(Hex.compact(WireExamples.RECORDS_RESULT).length() / 2 - 18);
    }

    @Test
    void rangeStreamHasDocumentedLayout() {
        assertLayout(new RangeRequest(16, "3", 0, 3, 1, 65536, 4096, new int[] {1, 2}), WireExamples.RANGE_STREAM);
    }

    @Test
    void rangeChunkCarriesRowsOfBigEndianDoubles() {
        // The first three rows of data/bimdc/3.csv, as Double.parseDouble reads their text.
        double[] rows = {-0.32, -0.305, -0.305, -0.285, -0.295, -0.26};
        ByteBuf data = Unpooled.buffer();
        for (double v : rows) {
            data.writeDouble(v);
        }
        CRC32C crc = new CRC32C();
        crc.update(data.nioBuffer());

        assertLayout(new ChunkReply(16, 0, true, true, true, (int) crc.getValue(), data), WireExamples.RANGE_CHUNK);
    }

    @Test
    void scaledRangeStreamAndItsChunkHaveDocumentedLayout() {
        RangeRequest scaled = new RangeRequest(16, "3", 0, 3, 1, 65536, 4096, new int[] {1, 2}, true);
        assertLayout(scaled, WireExamples.RANGE_STREAM_SCALED);
        assertThat(scaled.scaledRowValues()).isEqualTo(2);
        assertThat(scaled.lengthBytes()).as("counted in f64 rows all the same").isEqualTo(48);
        // The same three rows of data/bimdc/3.csv as their i16 values at 3 digits: -320 is -0.32 mV.
        ByteBuf data = Unpooled.buffer().writeByte(3).writeByte(3);
        for (int k : new int[] {-320, -305, -305, -285, -295, -260}) {
            data.writeShort(k);
        }
        CRC32C crc = new CRC32C();
        crc.update(data.nioBuffer());

        assertLayout(new ChunkReply(16, 0, true, true, true, (int) crc.getValue(), data, true),
                WireExamples.RANGE_CHUNK_SCALED);
    }

    @Test
    void envelopeHasDocumentedLayout() {
        assertLayout(new EnvelopeRequest(17, "3", 0, 250, 2, new int[] {2}), WireExamples.ENVELOPE);
        // Channel 2 of data/bimdc/3.csv: samples 0-124, then 125-249.
        assertLayout(new EnvelopeReply(17, 2, 1, new double[] {-0.93, 1.485, -0.305, -0.495,
                -0.59, -0.105, -0.475, -0.12}), WireExamples.ENVELOPE_RESULT);
    }

    @Test
    void liveFramesHaveDocumentedLayout() {
        assertLayout(new AppendRequest(18, "ecg-live", 250, 2, new double[] {0, 0.004},
                new double[] {0.5, -0.25, 0.75, -0.125}), WireExamples.APPEND);
        assertLayout(new AppendAck(18, 0, 2), WireExamples.APPEND_ACK);
        assertLayout(new SubscribeRequest(19, "ecg-live", 0, 1 << 20, 4096, new int[] {1, 2}),
                WireExamples.SUBSCRIBE);
        ByteBuf data = Unpooled.buffer();
        for (double v : new double[] {0.5, -0.25, 0.75, -0.125}) {
            data.writeDouble(v);
        }
        CRC32C crc = new CRC32C();
        crc.update(data.nioBuffer());
        assertLayout(new ChunkReply(19, 0, false, false, true, (int) crc.getValue(), data), WireExamples.LIVE_CHUNK);
    }

    private static void assertLayout(Message message, String hex) {
        ByteBuf encoded = Frames.encode(message);
        try {
            assertThat(Hex.of(encoded)).as("encoded %s", message).isEqualTo(Hex.compact(hex));
        } finally {
            encoded.release();
        }

        ByteBuf wire = Hex.buffer(hex);
        Message decoded = null;
        try {
            decoded = Frames.decode(wire);
            assertSameMessage(decoded, message);
            assertThat(wire.isReadable()).as("bytes left after decoding").isFalse();
        } finally {
            if (decoded != null) {
                decoded.release(); // the data of a CHUNK or UPLOAD_WRITE; nothing for the others
            }
            message.release();
            wire.release();
            assertThat(wire.refCnt()).as("frame buffer after releasing everything").isZero();
        }
    }
}
