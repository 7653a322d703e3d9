package dev.courier.server.files;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import java.io.EOFException;
import java.io.IOException;

/**
 * How the file bytes of a chunk leave on one connection. In the clear, by sendfile: a {@link SharedFileRegion}, zero
 * copies. Under TLS a {@code FileRegion} cannot pass (the {@link SslHandler} must encrypt the bytes, and a region
 * hands the kernel a file, not bytes), so the range is copied into a pooled direct buffer by positional reads,
 * which the SslHandler then seals in records of 16 KiB.
 *
 * <p>Where the copy runs is the caller's choice: the per-chunk READ copies on the blocking executor, where it
 * already opened the file; the streaming pump copies on the event loop, where it would have written the region.
 * That read blocks the loop no more than sendfile does: both read the same pages, from the page cache, or from the
 * disk in the same call. Stateless.
 */
public enum ChunkBody {
    /** By sendfile: connections without TLS. */
    SENDFILE,
    /** Copied into a pooled buffer: connections with an {@link SslHandler}. */
    COPY;

    /**
     * The largest chunk a COPY connection is offered at the handshake: a copied chunk is memory while it waits to be
     * sent, so 32 READs in flight hold at most 32 MiB rather than 32 × 8 MiB; a TLS record is 16 KiB, and a
     * megabyte already amortises a chunk's header and turn of the event loop (the client's default chunk).
     */
    public static final int COPY_MAX_CHUNK_BYTES = 1 << 20;

    /** The chunk cap to offer a connection of this kind, given the server's own. */
    public int maxChunkBytes(int serverMaxChunkBytes) {
        return switch (this) {
            case SENDFILE -> serverMaxChunkBytes;
            case COPY -> Math.min(serverMaxChunkBytes, COPY_MAX_CHUNK_BYTES);
        };
    }

    /** COPY when the channel's pipeline has an SslHandler (it is added before the first request), else SENDFILE. */
    public static ChunkBody of(Channel channel) {
        return channel.pipeline().get(SslHandler.class) != null ? COPY : SENDFILE;
    }

    /**
     * The message that sends {@code countBytes} of {@code file} from {@code positionBytes}: a region or a buffer.
     * Takes over the caller's reference to {@code file} in every case: the region releases it once sent; a copy
     * releases it when read, or when the read fails.
     *
     * @throws IOException when the copy's read fails or finds the file shorter than the range
     */
    public Object take(OpenFile file, long positionBytes, int countBytes, ByteBufAllocator alloc) throws IOException {
        return switch (this) {
            case SENDFILE -> new SharedFileRegion(file, positionBytes, countBytes);
            case COPY -> copy(file, positionBytes, countBytes, alloc);
        };
    }

    private static ByteBuf copy(OpenFile file, long positionBytes, int countBytes, ByteBufAllocator alloc)
            throws IOException {
        ByteBuf buf = alloc.directBuffer(countBytes, countBytes);
        try {
            while (buf.isWritable()) {
                int n = buf.writeBytes(file.channel(), positionBytes + buf.writerIndex(), buf.writableBytes());
                if (n < 0) {
                    throw new EOFException("the file ended " + (countBytes - buf.writerIndex())
                            + " bytes before the chunk did (it shrank while being read)");
                }
            }
            return buf;
        } catch (IOException | RuntimeException e) {
            buf.release();
            throw e;
        } finally {
            file.release();
        }
    }
}
