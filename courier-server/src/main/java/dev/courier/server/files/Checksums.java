package dev.courier.server.files;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.zip.CRC32C;

/**
 * Integrity sums over file ranges, read with positional reads into buffers. Never through a memory mapping: a file
 * truncated while it is mapped and read (logrotate's copytruncate, {@code > file}) raises SIGBUS, which in the
 * CRC32C intrinsic kills the JVM. A read instead comes back short, which surfaces here as an {@link EOFException}
 * that the caller answers with FILE_CHANGED. Thread-safe.
 */
public final class Checksums {
    /** One positional read: large enough that the system call is cheap next to the copy. */
    static final int READ_BYTES = 256 << 10;
    /** Direct buffers kept for reuse: about the number of reads that run at once on a busy server. */
    private static final int POOLED_BUFFERS = 32;
    private static final ArrayBlockingQueue<ByteBuffer> BUFFERS = new ArrayBlockingQueue<>(POOLED_BUFFERS);

    private Checksums() {
    }

    /**
     * CRC32C of {@code count} bytes of {@code channel} from {@code offset}.
     *
     * @throws EOFException when the file ends before {@code offset + count}: it shrank
     */
    public static int crc32c(FileChannel channel, long offset, int count) throws IOException {
        // One chunk of the batched pass: the same reads, one loop to keep right.
        return count == 0 ? 0 : crc32cOfChunks(channel, offset, offset + count, count)[0];
    }

    /**
     * The CRC32C of each chunk of {@code chunkBytes} of {@code channel} from {@code offset} to {@code end} (the last
     * chunk may be shorter), in one pass of large positional reads: a stream's chunks may be a page each, and one
     * system call per page would cost more than the sums.
     *
     * @return one CRC32C per chunk, in order
     * @throws EOFException when the file ends before {@code end}: it shrank
     */
    public static int[] crc32cOfChunks(FileChannel channel, long offset, long end, int chunkBytes) throws IOException {
        int[] crcs = new int[(int) ((end - offset + chunkBytes - 1) / chunkBytes)];
        CRC32C crc = new CRC32C();
        ByteBuffer buffer = takeBuffer();
        try {
            long position = offset;
            long chunkEnd = Math.min(end, offset + chunkBytes);
            int chunk = 0;
            while (position < end) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), end - position));
                int n = channel.read(buffer, position);
                if (n < 0) {
                    throw shrank(channel, end);
                }
                buffer.flip();
                // The bytes read may span several chunks: feed each its part.
                while (buffer.hasRemaining()) {
                    int take = (int) Math.min(buffer.remaining(), chunkEnd - position);
                    crc.update(buffer.slice(buffer.position(), take));
                    buffer.position(buffer.position() + take);
                    position += take;
                    if (position == chunkEnd) {
                        crcs[chunk++] = (int) crc.getValue();
                        crc.reset();
                        chunkEnd = Math.min(end, chunkEnd + chunkBytes);
                    }
                }
            }
        } finally {
            giveBack(buffer);
        }
        return crcs;
    }

    /** CRC32C of the readable bytes of {@code data}, leaving its position alone. */
    public static int crc32c(ByteBuffer data) {
        CRC32C crc = new CRC32C();
        crc.update(data.duplicate());
        return (int) crc.getValue();
    }

    /**
     * SHA-256 of the first {@code size} bytes of {@code channel}.
     *
     * @throws EOFException when the file holds fewer than {@code size} bytes: it shrank
     */
    public static byte[] sha256(FileChannel channel, long size) throws IOException {
        MessageDigest sha = newSha256();
        byte[] scratch = new byte[1 << 20];
        long position = 0;
        while (position < size) {
            position = sha256Update(sha, channel, position, size - position, scratch);
        }
        return sha.digest();
    }

    /**
     * Feeds up to {@code scratch.length} bytes of {@code channel} from {@code position} into {@code sha}, at most
     * {@code remaining}; returns the position after them.
     *
     * @param scratch a heap array: the JDK's SHA-256 intrinsic runs on arrays, and a direct buffer would be fed to
     *                it 4 KiB at a time through a copy
     * @throws EOFException when the file ends first
     */
    static long sha256Update(MessageDigest sha, FileChannel channel, long position, long remaining, byte[] scratch)
            throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(scratch, 0, (int) Math.min(scratch.length, remaining));
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position + buffer.position());
            if (n < 0) {
                throw shrank(channel, position + remaining);
            }
        }
        sha.update(scratch, 0, buffer.position());
        return position + buffer.position();
    }

    public static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static EOFException shrank(FileChannel channel, long expectedBytes) {
        String now;
        try {
            now = channel.size() + " bytes";
        } catch (IOException e) {
            now = "unknown";
        }
        return new EOFException("the file shrank while it was read: " + expectedBytes + " bytes expected, " + now
                + " now");
    }

    private static ByteBuffer takeBuffer() {
        ByteBuffer b = BUFFERS.poll();
        return b != null ? b : ByteBuffer.allocateDirect(READ_BYTES);
    }

    private static void giveBack(ByteBuffer b) {
        BUFFERS.offer(b);
    }
}
