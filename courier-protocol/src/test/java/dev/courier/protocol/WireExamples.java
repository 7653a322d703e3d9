package dev.courier.protocol;

import java.util.List;

/**
 * The hex examples of {@code docs/protocol.md}, written out by hand from the layouts there, one field per group.
 * The doc quotes these very strings; {@link MessageLayoutTest} checks the codec against them.
 *
 * <p>They tell one story: a client says HELLO, asks record "3" for channel 1 at 0.008 s (request 1), asks for a
 * record that does not exist (2), sends a batch (3), lists the root (4) and "logs" (5), stats (6) and reads (7)
 * "b.txt", pings (8), asks for the SHA-256 of "a/abc.txt" (9), and resumes the upload of the 7-byte file "abcdone"
 * as "notes.txt", of which the server already holds "abc" (10), by writing "done" (11) and committing (12). Then it
 * streams "a/abc.txt" whole (13), and streams the 1 MiB "big.bin" (14), grants more credit and cancels. Last, it lists
 * the records (15) of a server that holds record 3 only, streams its first three samples of both channels (16) and
 * asks for the envelope of channel 2 over its first second in two buckets (17).
 */
final class WireExamples {
    /** Client limits: the default 16 MiB + 22 frame, and the chunk that fits in it. */
    static final String CLIENT_HELLO = "00000014 01 00 00000000 434f5552 0001 01000016 01000004";
    /**
     * Server limits: request frames of 1 MiB + 64 (a 1 MiB upload write fits); chunks of min(8 MiB, 16777220,
     * 16777238 - 18) = 8 MiB.
     */
    static final String SERVER_HELLO = "00000014 01 00 00000000 434f5552 0001 00100040 00800000";
    /** The client's HELLO for a server with {@code --auth}: its limits, then the token "ct_example" as a str16. */
    static final String CLIENT_HELLO_WITH_TOKEN =
            "00000020 01 00 00000000 434f5552 0001 01000016 01000004 000a 63745f6578616d706c65";
    /** RATE_LIMITED (73) for request 1: "rate limited", then retryAfterMillis 250. */
    static final String ERROR_RATE_LIMITED = "0000001a 04 00 00000001 0049 000c 72617465206c696d69746564 000000fa";
    static final String POINT = "00000012 10 00 00000001 0001 3f80624dd2f1a9fc 01 33";
    static final String POINT_VALUE = "0000001a 11 00 00000001 bfd2e147ae147ae1 00000002 3f80624dd2f1a9fc";
    static final String POINT_UNKNOWN_RECORD = "00000012 10 00 00000002 0001 3f80624dd2f1a9fc 01 39";
    static final String ERROR_UNKNOWN_RECORD = "00000017 04 00 00000002 0014 000d 6e6f207265636f726420273927";
    /** What a TLS port answers, in plaintext, to a plaintext HELLO. */
    static final String ERROR_TLS_REQUIRED = "00000037 04 00 00000000 004a 002d "
            + "544c532072657175697265643a20636f6e6e6563742077697468202d2d746c73206f72202d2d63612046494c45";
    static final String POINT_BATCH =
            "0000001e 12 00 00000003 0002 01 33 00000002 0000000000000000 3f80624dd2f1a9fc";
    static final String POINT_BATCH_VALUES = "00000032 13 00 00000003 00000002"
            + " 00000000 0000000000000000 bfd3851eb851eb85"
            + " 00000002 3f80624dd2f1a9fc bfd0a3d70a3d70a4";
    static final String LIST_ROOT = "00000008 20 00 00000004 0000";
    static final String LISTING = "00000036 21 00 00000004 00000002"
            + " 01 0000000000000000 0000018bcfe56800 0001 61"
            + " 00 0000000000000400 0000018bcfe56800 0005 622e747874";
    static final String LIST_LOGS = "0000000c 20 00 00000005 0004 6c6f6773";
    static final String STAT = "0000000d 22 00 00000006 0005 622e747874";
    /** "é.txt": 6 bytes of UTF-8 for 5 characters. */
    static final String STAT_NON_ASCII = "0000000e 22 00 00000006 0006 c3a92e747874";
    static final String STAT_RESULT = "00000016 23 00 00000006 0000000000000400 0000018bcfe56800";
    static final String READ = "00000019 24 00 00000007 00000000000003fc 00010000 0005 622e747874";
    /** The same range asked for again, as request 8, after its copy failed the CRC32C: flag REFETCH. */
    static final String READ_REFETCH = "00000019 24 04 00000008 00000000000003fc 00010000 0005 622e747874";
    /** The CHUNK as the server sends it: flags LAST and CRC; 0x053620cb is the CRC32C of "done". */
    static final String CHUNK_WITH_CRC = "00000016 25 03 00000007 00000000000003fc 053620cb 646f6e65";
    /** Its header and prefix, which the server writes before sending the file bytes zero-copy. */
    static final String CHUNK_HEADER = "00000016 25 03 00000007 00000000000003fc 053620cb";
    /** The same chunk from a sender that leaves the CRC flag clear (and the crc32c field 0). */
    static final String CHUNK = "00000016 25 01 00000007 00000000000003fc 00000000 646f6e65";
    static final String PING = "0000000e 02 00 00000008 0102030405060708";
    static final String PONG = "0000000e 03 00 00000008 0102030405060708";
    /** "a/abc.txt" holds the 3 bytes "abc". */
    static final String DIGEST = "00000011 26 00 00000009 0009 612f6162632e747874";
    /** 3 bytes, modified at 1700000000000 ms, SHA-256("abc"). */
    static final String DIGEST_RESULT = "00000036 27 00 00000009 0000000000000003 0000018bcfe56800"
            + " ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    /** 7 bytes ("abcdone") with their SHA-256, to be stored as "notes.txt". */
    static final String UPLOAD_BEGIN = "00000039 30 00 0000000a 0000000000000007"
            + " e790620f56e5ff47106a839bfd17e6e2f337169dc2828e991d8091d4de92e9f0 0009 6e6f7465732e747874";
    /** Upload 0x0123456789abcdef; writes of up to 1048640 - 26 = 1048614 bytes; bytes [0, 3) already held. */
    static final String UPLOAD_READY =
            "00000026 31 00 0000000a 0123456789abcdef 00100026 00000001 0000000000000000 0000000000000003";
    /** "done" at offset 3, with its CRC32C 0x053620cb. */
    static final String UPLOAD_WRITE = "0000001e 32 00 0000000b 0123456789abcdef 0000000000000003 053620cb 646f6e65";
    static final String UPLOAD_ACK = "00000012 33 00 0000000b 0000000000000003 00000004";
    static final String UPLOAD_COMMIT = "0000000e 34 00 0000000c 0123456789abcdef";
    /** The same COMMIT from a client that hashed while it sent: SHA-256("abcdone") after the uploadId. */
    static final String UPLOAD_COMMIT_SHA256 = "0000002e 34 00 0000000c 0123456789abcdef"
            + " e790620f56e5ff47106a839bfd17e6e2f337169dc2828e991d8091d4de92e9f0";
    static final String UPLOAD_DONE = "0000002e 35 00 0000000c 0000000000000007"
            + " e790620f56e5ff47106a839bfd17e6e2f337169dc2828e991d8091d4de92e9f0";
    /** "a/abc.txt" whole: 3 bytes from offset 0, window 65536, chunks of 4096, version 3 bytes at 1700000000000 ms. */
    static final String READ_STREAM = "00000039 28 00 0000000d 0000000000000000 0000000000000003 00010000 00001000"
            + " 0000000000000003 0000018bcfe56800 0009 612f6162632e747874";
    /** Its one chunk: flags LAST, CRC and END; 0x364b3fb7 is the CRC32C of "abc". */
    static final String STREAM_CHUNK = "00000015 25 0b 0000000d 0000000000000000 364b3fb7 616263";
    /** "big.bin" (1 MiB, 1700000000000 ms) whole: window 8192, chunks of 4096. */
    static final String READ_STREAM_BIG = "00000037 28 00 0000000e 0000000000000000 0000000000100000 00002000 00001000"
            + " 0000000000100000 0000018bcfe56800 0007 6269672e62696e";
    /** Its chunk at 4096 streamed again, as stream 15, after it failed the CRC32C: flag REFETCH. */
    static final String READ_STREAM_REFETCH = "00000037 28 04 0000000f 0000000000001000 0000000000001000 00002000"
            + " 00001000 0000000000100000 0000018bcfe56800 0007 6269672e62696e";
    /** 65536 more bytes of credit for stream 14. */
    static final String WINDOW = "0000000a 29 00 0000000e 00010000";
    static final String CANCEL = "00000006 2a 00 0000000e";
    /** The END of the cancelled stream 14, at offset 20480, where it stopped: no data, flags CRC and END, crc 0. */
    static final String CANCELLED_END = "00000012 25 0a 0000000e 0000000000005000 00000000";
    static final String RECORDS = "0000000a 40 00 0000000f 00000000";
    /** One record of one: "3", 250 Hz, 15000 samples from 0 s, no header row, no start; ecg1 and ecg2 in mV. */
    static final String RECORDS_RESULT = "00000049 41 00 0000000f 00000001 00000001"
            + " 01 33 406f400000000000 00003a98 0000000000000000 00 0000000000000000 0000 0002"
            + " 0004 65636731 0002 6d56 0000 0004 65636732 0002 6d56 0000";
    /** Samples [0, 3) of record 3, every one (step 1), window 65536, chunks of 4096 (256 rows), channels 1 and 2. */
    static final String RANGE_STREAM = "0000002a 42 00 00000010 0000000000000000 0000000000000003 00000001"
            + " 00010000 00001000 0002 0001 0002 01 33";
    /** Its one chunk, 3 rows of 2 f64 (the values of data/bimdc/3.csv): flags LAST, CRC, END. */
    static final String RANGE_CHUNK = "00000042 25 0b 00000010 0000000000000000 8d9c0195"
            + " bfd47ae147ae147b bfd3851eb851eb85 bfd3851eb851eb85 bfd23d70a3d70a3d bfd2e147ae147ae1 bfd0a3d70a3d70a4";
    /** RANGE_STREAM as above from a client that reads scaled rows: flag SCALED. */
    static final String RANGE_STREAM_SCALED = "0000002a 42 10 00000010 0000000000000000 0000000000000003 00000001"
            + " 00010000 00001000 0002 0001 0002 01 33";
    /** Its one chunk, scaled: 3 digits per channel, then 3 rows of 2 i16; flags LAST, CRC, END, SCALED. */
    static final String RANGE_CHUNK_SCALED = "00000020 25 1b 00000010 0000000000000000 4e5fa143 03 03"
            + " fec0 fecf fecf fee3 fed9 fefc";
    /** Samples [0, 250) of record 3, channel 2, in 2 buckets. */
    static final String ENVELOPE = "00000020 44 00 00000011 0000000000000000 00000000000000fa 00000002 0001 0002 01 33";
    /** Buckets [0, 125) and [125, 250): min, max, first, last of each. */
    static final String ENVELOPE_RESULT = "0000004c 45 00 00000011 00000002 0001"
            + " bfedc28f5c28f5c3 3ff7c28f5c28f5c3 bfd3851eb851eb85 bfdfae147ae147ae"
            + " bfe2e147ae147ae1 bfbae147ae147ae1 bfde666666666666 bfbeb851eb851eb8";
    /** Two rows of two channels for live record "ecg-live" at 250 Hz: (0 s, 0.5, -0.25), (0.004 s, 0.75, -0.125). */
    static final String APPEND = "0000004d 50 00 00000012 08 6563672d6c697665 406f400000000000 0002 00000002"
            + " 0000000000000000 3fe0000000000000 bfd0000000000000 3f70624dd2f1a9fc 3fe8000000000000 bfc0000000000000";
    /** They are samples 0 and 1. */
    static final String APPEND_ACK = "00000012 51 00 00000012 0000000000000000 00000002";
    /** From sample 0, channels 1 and 2, window 1 MiB, chunks of 4 KiB at most. */
    static final String SUBSCRIBE = "00000025 52 00 00000013 0000000000000000 00100000 00001000 0002 0001 0002"
            + " 08 6563672d6c697665";
    /** Its first chunk: the two rows stored, flag CRC only (short, and no END: the stream goes on). */
    static final String LIVE_CHUNK = "00000032 25 02 00000013 0000000000000000 cab93bbd"
            + " 3fe0000000000000 bfd0000000000000 3fe8000000000000 bfc0000000000000";

    /**
     * An example frame whose payload has one exact length (everything but CHUNK and UPLOAD_WRITE, whose data is
     * open-ended).
     */
    record Example(String name, String hex, int requestId) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Example> fixedLengthExamples() {
        return List.of(
                new Example("HELLO", CLIENT_HELLO, 0),
                new Example("PING", PING, 8),
                new Example("PONG", PONG, 8),
                new Example("ERROR", ERROR_UNKNOWN_RECORD, 2),
                new Example("ERROR RATE_LIMITED", ERROR_RATE_LIMITED, 1),
                new Example("POINT", POINT, 1),
                new Example("POINT_VALUE", POINT_VALUE, 1),
                new Example("POINT_BATCH", POINT_BATCH, 3),
                new Example("POINT_BATCH_VALUES", POINT_BATCH_VALUES, 3),
                new Example("LIST", LIST_LOGS, 5),
                new Example("LISTING", LISTING, 4),
                new Example("STAT", STAT, 6),
                new Example("STAT_RESULT", STAT_RESULT, 6),
                new Example("READ", READ, 7),
                new Example("READ REFETCH", READ_REFETCH, 8),
                new Example("DIGEST", DIGEST, 9),
                new Example("DIGEST_RESULT", DIGEST_RESULT, 9),
                new Example("READ_STREAM", READ_STREAM, 13),
                new Example("READ_STREAM REFETCH", READ_STREAM_REFETCH, 15),
                new Example("WINDOW", WINDOW, 14),
                new Example("CANCEL", CANCEL, 14),
                new Example("UPLOAD_BEGIN", UPLOAD_BEGIN, 10),
                new Example("UPLOAD_READY", UPLOAD_READY, 10),
                new Example("UPLOAD_ACK", UPLOAD_ACK, 11),
                new Example("UPLOAD_COMMIT", UPLOAD_COMMIT, 12),
                new Example("UPLOAD_DONE", UPLOAD_DONE, 12),
                new Example("RECORDS", RECORDS, 15),
                new Example("RECORDS_RESULT", RECORDS_RESULT, 15),
                new Example("RANGE_STREAM", RANGE_STREAM, 16),
                new Example("RANGE_STREAM SCALED", RANGE_STREAM_SCALED, 16),
                new Example("ENVELOPE", ENVELOPE, 17),
                new Example("ENVELOPE_RESULT", ENVELOPE_RESULT, 17),
                new Example("APPEND", APPEND, 18),
                new Example("APPEND_ACK", APPEND_ACK, 18),
                new Example("SUBSCRIBE", SUBSCRIBE, 19));
    }

    private WireExamples() {
    }
}
