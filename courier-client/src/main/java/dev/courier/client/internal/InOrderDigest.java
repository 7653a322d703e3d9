package dev.courier.client.internal;

import dev.courier.protocol.Sha256;
import dev.courier.journal.RangeSet;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.TreeMap;

/**
 * The SHA-256 of a file that arrives in chunks out of order, computed as the bytes arrive so the finished file need
 * not be read back. Chunks ahead of the hashing point are held (retained) until the gap before them fills; ranges
 * that were already on disk from an interrupted attempt are read back from the part file when the hashing point
 * reaches them. The caller keeps the held bytes bounded by not fetching past {@link #hashedBytes()} plus a window.
 * Thread-safe.
 */
final class InOrderDigest {
    private static final int READ_BACK_BYTES = 1 << 20;

    private final MessageDigest sha;
    private final long sizeBytes;
    private final RangeSet onDisk;
    private final FileChannel part;
    private final TreeMap<Long, ByteBuf> ahead = new TreeMap<>();
    private final byte[] scratch = new byte[256 << 10];
    private long next;

    /** @param part where {@code onDisk} ranges can be read back; null when nothing is on disk */
    InOrderDigest(long sizeBytes, RangeSet onDisk, FileChannel part) {
        try {
            this.sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        this.sizeBytes = sizeBytes;
        this.onDisk = onDisk;
        this.part = part;
    }

    /** Bytes hashed so far: everything before this offset. */
    synchronized long hashedBytes() {
        return next;
    }

    /** Takes the bytes of a verified chunk; retains them if they cannot be hashed yet. */
    synchronized void offer(long offsetBytes, ByteBuf data) throws IOException {
        if (offsetBytes == next) {
            update(data);
        } else if (offsetBytes > next) {
            ahead.put(offsetBytes, data.retainedDuplicate());
        }
        drain();
    }

    /** Hashes whatever can be hashed now, including ranges that are on disk. */
    synchronized void drain() throws IOException {
        while (next < sizeBytes) {
            Map.Entry<Long, ByteBuf> first = ahead.firstEntry();
            if (first != null && first.getKey() == next) {
                ahead.pollFirstEntry();
                try {
                    update(first.getValue());
                } finally {
                    first.getValue().release();
                }
                continue;
            }
            long end = onDisk.endOfRangeAt(next);
            if (end < 0) {
                return;
            }
            readBack(next, end);
        }
    }

    private void update(ByteBuf data) {
        int n = data.readableBytes();
        for (ByteBuffer b : data.nioBuffers()) {
            Sha256.update(sha, b, scratch);
        }
        next += n;
    }

    private void readBack(long from, long to) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect((int) Math.min(READ_BACK_BYTES, to - from));
        long at = from;
        while (at < to) {
            buf.clear().limit((int) Math.min(buf.capacity(), to - at));
            while (buf.hasRemaining()) {
                int n = part.read(buf, at + buf.position());
                if (n < 0) {
                    throw new IOException("the part file ends at " + (at + buf.position()) + ", before " + to);
                }
            }
            buf.flip();
            at += buf.remaining();
            Sha256.update(sha, buf, scratch);
        }
        next = to;
    }

    /** The digest, once every byte has been hashed; null if some are still missing. */
    synchronized Sha256 finish() throws IOException {
        drain();
        return next == sizeBytes ? new Sha256(sha.digest()) : null;
    }

    /** Releases every held chunk: the download ended early. */
    synchronized void discard() {
        ahead.values().forEach(ByteBuf::release);
        ahead.clear();
    }
}
