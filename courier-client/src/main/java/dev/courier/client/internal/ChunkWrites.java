package dev.courier.client.internal;

import dev.courier.client.CourierException;
import dev.courier.client.DownloadProgress;
import dev.courier.protocol.ByteRange;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Sha256;
import dev.courier.protocol.UploadAck;
import dev.courier.protocol.UploadReady;
import dev.courier.journal.RangeSet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

/**
 * An upload's exchange: a range is one UPLOAD_WRITE of the local file's bytes with their CRC32C, answered by one
 * UPLOAD_ACK. A write the server got damaged (CHECKSUM_MISMATCH) is sent again on the same connection; when the
 * server forgot the upload (UNKNOWN_UPLOAD, after a restart) the upload is begun anew, once for all lanes, and the
 * server says again which bytes it holds. It also knows the upload as the server knows it now (its id, and how large
 * a write may be), for the COMMIT.
 *
 * <p>Thread-safe: the lanes call it at once; the local file takes positional reads.
 */
public final class ChunkWrites implements RangeExchange<ChunkWrites.Write> {
    private final String name;
    private final long sizeBytes;
    private final Sha256 sha256;
    private final FileChannel in;
    private final long stallTimeoutMillis;
    private final DownloadProgress progress;
    private final RangeSet held = new RangeSet();
    private final AtomicLong doneBytes;
    private final AtomicLong sentBytes = new AtomicLong();
    private volatile long uploadId;
    private volatile int maxWriteBytes;

    /** One write in flight, and the upload it was sent for. */
    record Write(ByteRange range, long uploadId, CompletableFuture<UploadAck> reply)
            implements RangeExchange.InFlight {
    }

    /**
     * @param sha256 what the BEGIN announced, and a BEGIN again must: the file's SHA-256, or its {@link VersionTag}
     *               when the COMMIT announces the SHA-256
     * @param in     the local file, {@code sizeBytes} long
     * @param ready  the server's answer to the BEGIN: the upload's id, its largest write, the ranges it holds
     */
    public ChunkWrites(String name, long sizeBytes, Sha256 sha256, FileChannel in, UploadReady ready,
                       long stallTimeoutMillis, DownloadProgress progress) {
        this.name = name;
        this.sizeBytes = sizeBytes;
        this.sha256 = sha256;
        this.in = in;
        this.stallTimeoutMillis = stallTimeoutMillis;
        this.progress = progress;
        ready.received().forEach(r -> held.add(r.offsetBytes(), r.lengthBytes()));
        this.doneBytes = new AtomicLong(held.totalBytes());
        begun(ready);
    }

    /** The name of the upload on the server. */
    public String name() {
        return name;
    }

    /** Bytes the server held when the upload began. */
    public long resumedBytes() {
        return held.totalBytes();
    }

    /** Bytes sent so far, writes sent again included. */
    public long sentBytes() {
        return sentBytes.get();
    }

    /** What the BEGIN announced: the file's SHA-256 or its version tag. */
    public Sha256 begun() {
        return sha256;
    }

    /** The upload's id on the server now. */
    public long uploadId() {
        return uploadId;
    }

    /** The server (re)began the upload: what its answer says holds from now on. */
    public void begun(UploadReady ready) {
        maxWriteBytes = ready.maxWriteBytes();
        uploadId = ready.uploadId();
    }

    /**
     * The bytes the server does not hold yet, in chunks of {@code wantedChunkBytes}, within what a write may carry
     * and no smaller than the least write the server takes.
     */
    public ChunkQueue queue(int wantedChunkBytes) {
        int chunk = Math.max(minWriteBytes(), Math.min(wantedChunkBytes, maxWriteBytes));
        return new ChunkQueue(held, sizeBytes, chunk);
    }

    /**
     * The least a write that does not end the file must carry (the server refuses shorter ones): the protocol's
     * minimum, or the server's largest write when that is smaller.
     */
    private int minWriteBytes() {
        return Math.min(FrameDescriptor.MIN_UPLOAD_WRITE_BYTES, maxWriteBytes);
    }

    /**
     * What to send for {@code chunk}: the chunk itself, or, when it is a gap shorter than the least write, the
     * least write from its start (or up to the end of the file), covering bytes the server already holds.
     */
    private ByteRange write(ByteRange chunk) {
        long end = chunk.offsetBytes() + chunk.lengthBytes();
        if (chunk.lengthBytes() >= minWriteBytes() || end == sizeBytes) {
            return chunk;
        }
        return new ByteRange(chunk.offsetBytes(), Math.min(minWriteBytes(), sizeBytes - chunk.offsetBytes()));
    }

    @Override
    public Write send(WireConnection c, ByteRange chunk) {
        ByteRange write = write(chunk);
        int length = (int) write.lengthBytes();
        ByteBuf data = PooledByteBufAllocator.DEFAULT.directBuffer(length);
        try {
            ByteBuffer nio = data.nioBuffer(0, length);
            long at = write.offsetBytes();
            while (nio.hasRemaining()) {
                int n = in.read(nio, at + nio.position());
                if (n < 0) {
                    throw new IOException("the file shrank while being uploaded");
                }
            }
            data.writerIndex(length);
            CRC32C crc = new CRC32C();
            crc.update(data.nioBuffer());
            sentBytes.addAndGet(length);
            long id = uploadId;
            return new Write(chunk, id, c.uploadWrite(id, write.offsetBytes(), (int) crc.getValue(), data));
        } catch (IOException e) {
            data.release();
            throw new CourierException(ErrorCode.LOCAL_IO_ERROR, "cannot read the file: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean receive(Write write) {
        progress.advanced(doneBytes.addAndGet(write.range().lengthBytes()), sizeBytes);
        return true;
    }

    @Override
    public boolean recover(WireConnection c, Write write, CourierException failure) {
        return switch (failure.code()) {
            case CHECKSUM_MISMATCH -> true; // damaged on the way: just send it again
            case UNKNOWN_UPLOAD -> {
                rebegin(c, write.uploadId());
                yield true;
            }
            default -> false;
        };
    }

    /** The server forgot the upload (it restarted): begin again, once for all lanes, on this lane's connection. */
    private synchronized void rebegin(WireConnection c, long failedId) {
        if (uploadId != failedId) {
            return; // another lane has begun it again already
        }
        progress.note("the server lost the upload session; resuming it");
        try {
            begun(c.uploadBegin(name, sizeBytes, sha256).get(stallTimeoutMillis, TimeUnit.MILLISECONDS));
        } catch (ExecutionException e) {
            throw CourierException.unwrap(e.getCause());
        } catch (TimeoutException e) {
            throw new CourierException(ErrorCode.TIMED_OUT, "no answer from the server within "
                    + stallTimeoutMillis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CourierException(ErrorCode.CONNECTION_CLOSED, "interrupted");
        }
    }

    @Override
    public CourierException stalled(long quietMillis) {
        return new CourierException(ErrorCode.TIMED_OUT, "the upload of " + name + " made no progress for "
                + quietMillis + " ms; run again to resume");
    }
}
