package dev.courier.client.internal;

import dev.courier.protocol.ByteRange;
import dev.courier.protocol.AppendAck;
import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.DigestReply;
import dev.courier.protocol.EnvelopeReply;
import dev.courier.protocol.FileEntry;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Hello;
import dev.courier.protocol.ListReply;
import dev.courier.protocol.PointBatchReply;
import dev.courier.protocol.RecordsReply;
import dev.courier.protocol.Sha256;
import dev.courier.protocol.StatReply;
import dev.courier.protocol.UploadAck;
import dev.courier.protocol.UploadDone;
import dev.courier.protocol.UploadReady;
import java.util.List;

/**
 * The rules a server's replies must keep for the client to believe them. The client trusts the server with
 * nothing it can check: a limit the server announces must be one the client can work with, a reply must answer the
 * request whose id it carries (the offset, length, count, size and digest that were asked for), and every size must
 * be one a file can have. Each method returns null when the reply keeps the rules, or names the rule it broke; the
 * caller fails with {@code BAD_REPLY} and closes the connection, since a server that broke one rule cannot be
 * believed about anything else. Stateless.
 *
 * <p>The floors below are not memory limits (nothing the client holds grows with them): they turn a server that
 * would make every transfer absurdly slow into one clear error at the handshake.
 */
public final class ReplyRules {
    /**
     * The smallest chunk cap the client accepts in the server's HELLO, in bytes: a page. Below it a download needs
     * a round trip for every few bytes and the frame overhead exceeds the data. Courier's server sends 8 MiB.
     */
    public static final int MIN_CHUNK_BYTES = FrameDescriptor.MIN_CHUNK_CAP_BYTES;
    /** The smallest {@code maxWriteBytes} the client accepts in UPLOAD_READY, in bytes, for the same reason. */
    public static final int MIN_WRITE_BYTES = FrameDescriptor.MIN_CHUNK_CAP_BYTES;
    /**
     * The smallest request frame limit the client accepts in the server's HELLO, in bytes: what an UPLOAD_WRITE of
     * {@link #MIN_WRITE_BYTES} needs. Courier's server accepts 1 MiB + 64.
     */
    public static final int MIN_FRAME_BYTES = FrameDescriptor.MIN_SERVER_FRAME_BYTES;

    private ReplyRules() {
    }

    /**
     * The server's HELLO against the client's own: request id 0, a chunk cap no larger than the client asked for,
     * and limits no smaller than the floors (or than the client's own, when the client itself asked for less).
     * The version is checked apart, since a wrong one has a code of its own.
     */
    public static String hello(Hello server, Hello client) {
        if (server.requestId() != 0) {
            return "HELLO must carry request id 0, not " + Integer.toUnsignedString(server.requestId());
        }
        if (server.token().isPresent()) {
            return "HELLO carries a token; a server's HELLO never does";
        }
        if (server.maxChunkBytes() > client.maxChunkBytes()) {
            return "HELLO announces chunks of " + server.maxChunkBytes() + " bytes, more than the "
                    + client.maxChunkBytes() + " this client asked for";
        }
        int chunkFloor = Math.min(MIN_CHUNK_BYTES, client.maxChunkBytes());
        if (server.maxChunkBytes() < chunkFloor) {
            return "HELLO announces chunks of " + server.maxChunkBytes() + " bytes; this client needs at least "
                    + chunkFloor + " (a download would take a round trip per " + server.maxChunkBytes() + " bytes)";
        }
        if (server.maxFrameBytes() < MIN_FRAME_BYTES) {
            return "HELLO announces request frames of " + server.maxFrameBytes() + " bytes; this client needs at "
                    + "least " + MIN_FRAME_BYTES;
        }
        return null;
    }

    /**
     * A CHUNK answering a READ of {@code lengthBytes} at {@code offsetBytes}: the same offset, 1 to
     * {@code lengthBytes} bytes of data, and fewer only with flag LAST (a READ gets min(length, size - offset)).
     */
    public static String chunk(ChunkReply c, long offsetBytes, int lengthBytes) {
        int n = c.data().readableBytes();
        if (c.offsetBytes() != offsetBytes) {
            return "CHUNK starts at " + Long.toUnsignedString(c.offsetBytes()) + ", but the READ asked from "
                    + offsetBytes;
        }
        if (n == 0) {
            return "CHUNK at " + offsetBytes + " is empty; a READ at the end of a file gets OFFSET_PAST_END";
        }
        if (n > lengthBytes) {
            return "CHUNK at " + offsetBytes + " carries " + n + " bytes, but the READ asked for at most "
                    + lengthBytes;
        }
        if (n < lengthBytes && !c.last()) {
            return "CHUNK at " + offsetBytes + " carries " + n + " of the " + lengthBytes
                    + " bytes asked for without flag LAST; only the end of the file may be short";
        }
        return null;
    }

    /**
     * The stream bytes a scaled CHUNK (flag SCALED) of a range with {@code rowValues} values per row stands for: its
     * data is a u8 of digits per value of a row, then whole rows of i16, each value counting as an 8-byte f64; -1
     * when the data is not that shape, or the stream may not carry scaled chunks ({@code rowValues} 0).
     */
    public static int scaledChunkBytes(ChunkReply c, int rowValues) {
        int n = c.data().readableBytes();
        if (rowValues == 0 || n < rowValues || (n - rowValues) % (rowValues * Short.BYTES) != 0) {
            return -1;
        }
        return (n - rowValues) / Short.BYTES * Double.BYTES;
    }

    /**
     * A CHUNK of a READ_STREAM, against what the stream allows next (docs/protocol.md, "READ_STREAM"): the next
     * expected offset; flag CRC; 1 to {@code chunkBytes} bytes, fewer only on the chunk that reaches the stream's end,
     * never past it and never more than the credit granted; flag END only at the stream's end, unless the stream
     * was cancelled, where an empty END may come at any offset; flag LAST exactly on the chunk that reaches the end
     * of the file. Once the data reached the end without END, only an empty END may follow. The CRC itself is not
     * checked here: a damaged chunk is not a broken rule but a chunk to fetch again.
     *
     * @param n                   the stream bytes the chunk carries: its data bytes, or for a scaled chunk the f64
     *                            bytes its values stand for ({@link #scaledChunkBytes})
     * @param expectedOffsetBytes where the next chunk must start
     * @param endOffsetBytes      offset + length of the stream
     * @param creditBytes         data bytes the server may still send
     * @param fileSizeBytes       the size of the file version streamed
     * @param cancelled           the client sent CANCEL
     */
    public static String streamChunk(ChunkReply c, int n, long expectedOffsetBytes, long endOffsetBytes,
                                     int chunkBytes, long creditBytes, long fileSizeBytes, boolean cancelled,
                                     boolean shortChunks) {
        if (c.offsetBytes() != expectedOffsetBytes) {
            return at(c) + ", but the next chunk starts at " + expectedOffsetBytes;
        }
        if (!c.hasCrc()) {
            return at(c) + " has no CRC32C; every chunk of a stream carries one";
        }
        if (n == 0) {
            if (!c.end()) {
                return at(c) + " is empty without flag END";
            }
            if (!cancelled && expectedOffsetBytes != endOffsetBytes) {
                return at(c) + " ends the stream " + (endOffsetBytes - expectedOffsetBytes) + " bytes before its end "
                        + endOffsetBytes + ", which was not cancelled";
            }
            if (c.last() && expectedOffsetBytes != fileSizeBytes) {
                return at(c) + " has flag LAST, but the file is " + fileSizeBytes + " bytes";
            }
            return null;
        }
        if (expectedOffsetBytes == endOffsetBytes) {
            return at(c) + " carries " + n + " bytes after the stream's last byte (" + endOffsetBytes + ")";
        }
        if (n > chunkBytes) {
            return at(c) + " carries " + n + " bytes; the stream asked for chunks of " + chunkBytes;
        }
        if (n > endOffsetBytes - expectedOffsetBytes) {
            return at(c) + " carries " + n + " bytes, past the stream's end " + endOffsetBytes;
        }
        if (n > creditBytes) {
            return at(c) + " carries " + n + " bytes, beyond the " + creditBytes + " bytes of credit granted";
        }
        long after = expectedOffsetBytes + n;
        if (n < chunkBytes && after != endOffsetBytes && !shortChunks) {
            return at(c) + " carries " + n + " of " + chunkBytes + " bytes; only the stream's final chunk may be short";
        }
        if (c.end() && after != endOffsetBytes && !cancelled) {
            return at(c) + " has flag END at " + after + ", before the stream's end " + endOffsetBytes;
        }
        if (c.last() != (after == fileSizeBytes)) {
            return at(c) + (c.last() ? " has flag LAST, but the file is " + fileSizeBytes + " bytes"
                    : " reaches the end of the file without flag LAST");
        }
        return null;
    }

    /** The start of a broken stream rule's text; built only when one is broken, not for every chunk. */
    private static String at(ChunkReply c) {
        return "stream " + Integer.toUnsignedString(c.requestId()) + ": CHUNK at "
                + Long.toUnsignedString(c.offsetBytes());
    }

    /** An APPEND_ACK must count the rows sent. */
    public static String appendAck(AppendAck a, int rows) {
        return a.rows() == rows ? null : "APPEND_ACK counts " + a.rows() + " rows; the APPEND carried " + rows;
    }

    public static String digest(DigestReply d) {
        return size("DIGEST_RESULT", d.sizeBytes());
    }

    public static String stat(StatReply s) {
        return size("STAT_RESULT", s.sizeBytes());
    }

    public static String listing(ListReply l) {
        List<FileEntry> entries = l.entries();
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).sizeBytes() < 0) {
                return "LISTING entry " + (i + 1) + " has a size of "
                        + Long.toUnsignedString(entries.get(i).sizeBytes()) + " bytes, not below 2^63";
            }
        }
        return null;
    }

    /** POINT_BATCH_VALUES: one entry per time asked for. */
    public static String pointBatch(PointBatchReply r, int countAsked) {
        return r.size() == countAsked ? null
                : "POINT_BATCH_VALUES holds " + r.size() + " points for a batch of " + countAsked;
    }

    /**
     * UPLOAD_READY for an upload of {@code sizeBytes}: a {@code maxWriteBytes} from the floor to what fits in the
     * server's own request frame, and ranges that lie inside the file, are not empty, and come sorted without
     * overlapping.
     */
    public static String uploadReady(UploadReady r, long sizeBytes, int serverMaxFrameBytes) {
        long fits = (long) serverMaxFrameBytes - FrameDescriptor.UPLOAD_WRITE_OVERHEAD_BYTES
                + FrameDescriptor.LENGTH_FIELD_BYTES;
        if (r.maxWriteBytes() < MIN_WRITE_BYTES) {
            return "UPLOAD_READY allows writes of " + Integer.toUnsignedString(r.maxWriteBytes())
                    + " bytes; this client needs at least " + MIN_WRITE_BYTES;
        }
        if (r.maxWriteBytes() > fits) {
            return "UPLOAD_READY allows writes of " + r.maxWriteBytes() + " bytes, but the server's own frame "
                    + "limit of " + serverMaxFrameBytes + " bytes fits only " + fits;
        }
        long previousEnd = 0;
        for (ByteRange range : r.received()) {
            if (range.lengthBytes() == 0) {
                return "UPLOAD_READY lists an empty range at " + range.offsetBytes();
            }
            if (range.offsetBytes() < previousEnd) {
                return "UPLOAD_READY lists the range at " + range.offsetBytes() + " after one that ends at "
                        + previousEnd + "; ranges must be sorted and must not overlap";
            }
            if (range.offsetBytes() >= sizeBytes || range.lengthBytes() > sizeBytes - range.offsetBytes()) {
                return "UPLOAD_READY lists " + range.lengthBytes() + " bytes at " + range.offsetBytes()
                        + ", outside the " + sizeBytes + " bytes of the upload";
            }
            previousEnd = range.endBytes();
        }
        return null;
    }

    /** UPLOAD_ACK for a write of {@code lengthBytes} at {@code offsetBytes}: the same range. */
    public static String uploadAck(UploadAck a, long offsetBytes, int lengthBytes) {
        if (a.offsetBytes() == offsetBytes && a.lengthBytes() == lengthBytes) {
            return null;
        }
        return "UPLOAD_ACK for " + Integer.toUnsignedString(a.lengthBytes()) + " bytes at "
                + Long.toUnsignedString(a.offsetBytes()) + " answers a write of " + lengthBytes + " bytes at "
                + offsetBytes;
    }

    /** UPLOAD_DONE: a size that is a file's; and, when the upload is known, its size and SHA-256. */
    public static String uploadDone(UploadDone d, long sizeBytes, Sha256 sha256) {
        String bad = size("UPLOAD_DONE", d.sizeBytes());
        if (bad != null || sizeBytes < 0) {
            return bad;
        }
        if (d.sizeBytes() != sizeBytes || !d.sha256().equals(sha256)) {
            return "UPLOAD_DONE reports " + d.sizeBytes() + " bytes with SHA-256 " + d.sha256()
                    + ", but the upload was " + sizeBytes + " bytes with SHA-256 " + sha256;
        }
        return null;
    }

    private static String size(String frame, long sizeBytes) {
        return sizeBytes >= 0 ? null
                : frame + " announces a size of " + Long.toUnsignedString(sizeBytes) + " bytes, not below 2^63";
    }

    /** A RECORDS_RESULT for a request from {@code startIndex}: no more entries than the total leaves from there. */
    public static String records(RecordsReply r, int startIndex) {
        long left = Math.max(0, (long) r.totalRecords() - startIndex);
        if (r.records().size() > left) {
            return "RECORDS_RESULT holds " + r.records().size() + " records from index " + startIndex + " of "
                    + r.totalRecords();
        }
        if (r.records().isEmpty() && left > 0) {
            return "RECORDS_RESULT holds no record, but " + left + " are left from index " + startIndex;
        }
        return null;
    }

    /** An ENVELOPE_RESULT must hold the buckets and channels asked for. */
    public static String envelope(EnvelopeReply r, int buckets, int channels) {
        if (r.bucketCount() != buckets || r.channelCount() != channels) {
            return "ENVELOPE_RESULT holds " + r.bucketCount() + " buckets of " + r.channelCount()
                    + " channels; the request asked for " + buckets + " of " + channels;
        }
        return null;
    }
}
