package dev.courier.client;

import dev.courier.client.internal.WireConnection;
import dev.courier.protocol.ByteRange;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Sha256;
import dev.courier.protocol.UploadAck;
import dev.courier.protocol.UploadDone;
import dev.courier.protocol.UploadReady;
import dev.courier.protocol.journal.RangeSet;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32C;

/**
 * Uploads one local file over several connections in chunks, each with its CRC32C; the server keeps them in a
 * journaled part file and renames it into place only after checking the whole file's SHA-256. Interrupted uploads
 * resume: beginning the same name with the same content again, the server says which bytes it already holds. Lost
 * connections are reopened with backoff until nothing has been acknowledged for the stall timeout.
 */
public final class Uploader {
    private final CourierClient client;
    private final DownloadOptions options;
    private final DownloadProgress progress;

    /** Uses the connection count, chunk size, window, stall timeout and backoff of {@code options}. */
    public Uploader(CourierClient client, DownloadOptions options, DownloadProgress progress) {
        this.client = client;
        this.options = options;
        this.progress = progress;
    }

    /**
     * Uploads {@code local} as {@code remoteName}.
     *
     * @throws CourierException UPLOADS_DISABLED, UPLOAD_CONFLICT, OUTSIDE_ROOT, DISK_FULL, TIMED_OUT,
     *                          LOCAL_IO_ERROR, ...
     */
    public UploadResult upload(Path local, String remoteName) {
        long start = System.nanoTime();
        try (FileChannel in = FileChannel.open(local, StandardOpenOption.READ)) {
            long size = in.size();
            Sha256 sha = sha256(in, size);
            Session session = new Session(remoteName, size, sha, in);
            return session.run(start);
        } catch (IOException e) {
            throw new CourierException(ErrorCode.LOCAL_IO_ERROR, "cannot read " + local + ": " + e.getMessage(), e);
        }
    }

    private static Sha256 sha256(FileChannel in, long size) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        ByteBuffer buf = ByteBuffer.allocate(1 << 20); // a heap array: the SHA intrinsics hash it in place
        for (long at = 0; at < size; ) {
            buf.clear();
            int n = in.read(buf, at);
            if (n < 0) {
                throw new IOException("the file shrank while being read");
            }
            at += n;
            sha.update(buf.flip());
        }
        return new Sha256(sha.digest());
    }

    private final class Session {
        private final String name;
        private final long size;
        private final Sha256 sha;
        private final FileChannel in;
        private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
        private final AtomicLong sent = new AtomicLong();
        private final AtomicLong done = new AtomicLong();
        private final AtomicLong lastProgressNanos = new AtomicLong(System.nanoTime());
        private volatile long uploadId;
        private volatile int maxWriteBytes;
        private ChunkQueue queue;
        private long resumed;

        Session(String name, long size, Sha256 sha, FileChannel in) {
            this.name = name;
            this.size = size;
            this.sha = sha;
            this.in = in;
        }

        UploadResult run(long start) {
            WireConnection c = reconnect(0);
            try {
                UploadReady ready = begin(c);
                RangeSet have = new RangeSet();
                ready.received().forEach(r -> have.add(r.offsetBytes(), r.lengthBytes()));
                resumed = have.totalBytes();
                if (resumed > 0) {
                    progress.note("resuming the upload of " + name + ": the server already holds " + resumed
                            + " of " + size + " bytes");
                }
                int chunk = Math.max(minWriteBytes(), Math.min(options.chunkBytes(), maxWriteBytes));
                queue = new ChunkQueue(have, size, chunk);
                done.set(resumed);
                progress.advanced(resumed, size);
                int lanes = (int) Math.max(1, Math.min(options.connections(), queue.chunksLeft()));
                try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                    for (int i = 0; i < lanes; i++) {
                        pool.submit(this::lane);
                    }
                }
                if (failure.get() != null) {
                    throw failure.get();
                }
                UploadDone result = commit(c);
                return new UploadResult(name, result.sizeBytes(), result.sha256().hex(), System.nanoTime() - start,
                        resumed, sent.get());
            } finally {
                c.closeAsync();
            }
        }

        private UploadReady begin(WireConnection c) {
            UploadReady ready = await(c.uploadBegin(name, size, sha));
            uploadId = ready.uploadId();
            maxWriteBytes = ready.maxWriteBytes();
            return ready;
        }

        /**
         * The commit, retried on a fresh connection if the connection breaks under it. The server answers a commit
         * it already carried out again, so a lost reply is harmless; a server that restarted in between forgot the
         * upload, and then it begins again from what it holds.
         */
        private UploadDone commit(WireConnection first) {
            WireConnection c = first;
            try {
                for (int attempt = 0; ; attempt++) {
                    try {
                        return await(c.uploadCommit(uploadId, size, sha));
                    } catch (CourierException e) {
                        if (e.code() == ErrorCode.UNKNOWN_UPLOAD && attempt > 0) {
                            begin(c);
                            continue;
                        }
                        if (!Backoff.retryable(e)) {
                            throw e;
                        }
                        if (c != first) {
                            c.closeAsync();
                        }
                        c = reconnect(attempt + 1);
                    }
                }
            } finally {
                if (c != first) {
                    c.closeAsync();
                }
            }
        }

        private record InFlight(ByteRange chunk, long uploadId, CompletableFuture<UploadAck> ack) {
        }

        private void lane() {
            WireConnection c = null;
            ArrayDeque<InFlight> window = new ArrayDeque<>();
            int reconnects = 0;
            try {
                while (failure.get() == null) {
                    if (c == null || !c.isOpen()) {
                        window.forEach(f -> queue.retry(f.chunk()));
                        window.clear();
                        c = reconnect(reconnects++);
                        continue;
                    }
                    while (window.size() < options.readsPerConnection()) {
                        ByteRange next = queue.poll(Long.MAX_VALUE);
                        if (next == null) {
                            break;
                        }
                        window.add(send(c, next));
                    }
                    if (window.isEmpty()) {
                        if (queue.finished()) {
                            return;
                        }
                        queue.await(50);
                        continue;
                    }
                    InFlight f = window.removeFirst();
                    try {
                        f.ack().get(options.stallTimeoutMillis(), TimeUnit.MILLISECONDS);
                    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                        RuntimeException r = e instanceof ExecutionException ? CourierException.unwrap(e.getCause())
                                : new CourierException(ErrorCode.TIMED_OUT, "no acknowledgement");
                        CourierException ce = r instanceof CourierException x ? x
                                : new CourierException(ErrorCode.INTERNAL, r.toString(), r);
                        queue.retry(f.chunk());
                        if (ce.code() == ErrorCode.CHECKSUM_MISMATCH) {
                            continue; // damaged on the way: just send it again
                        }
                        if (ce.code() == ErrorCode.UNKNOWN_UPLOAD) {
                            rebegin(c, f.uploadId());
                            continue;
                        }
                        if (!Backoff.retryable(ce)) {
                            throw ce;
                        }
                        c.closeAsync();
                        c = null;
                        continue;
                    }
                    reconnects = 0;
                    lastProgressNanos.set(System.nanoTime());
                    progress.advanced(done.addAndGet(f.chunk().lengthBytes()), size);
                    queue.done();
                }
            } catch (RuntimeException e) {
                failure.compareAndSet(null, CourierException.unwrap(e));
                queue.nudge();
            } catch (InterruptedException e) {
                failure.compareAndSet(null, new CourierException(ErrorCode.CONNECTION_CLOSED, "interrupted"));
            } finally {
                if (c != null) {
                    c.closeAsync();
                }
            }
        }

        /** The server forgot the upload (it restarted): begin again, once for all lanes. */
        private synchronized void rebegin(WireConnection c, long failedId) {
            if (uploadId == failedId) {
                progress.note("the server lost the upload session; resuming it");
                begin(c);
            }
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
            if (chunk.lengthBytes() >= minWriteBytes() || end == size) {
                return chunk;
            }
            return new ByteRange(chunk.offsetBytes(), Math.min(minWriteBytes(), size - chunk.offsetBytes()));
        }

        private InFlight send(WireConnection c, ByteRange chunk) {
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
                sent.addAndGet(length);
                long id = uploadId;
                return new InFlight(chunk, id, c.uploadWrite(id, write.offsetBytes(), (int) crc.getValue(), data));
            } catch (IOException e) {
                data.release();
                throw new CourierException(ErrorCode.LOCAL_IO_ERROR, "cannot read the file: " + e.getMessage(), e);
            }
        }

        private WireConnection reconnect(int attempt) {
            return Reconnector.open(client, options.backoff(), attempt, () -> {
                if (System.nanoTime() - lastProgressNanos.get()
                        > TimeUnit.MILLISECONDS.toNanos(options.stallTimeoutMillis())) {
                    throw new CourierException(ErrorCode.TIMED_OUT, "the upload of " + name + " made no progress for "
                            + options.stallTimeoutMillis() + " ms; run again to resume");
                }
                if (failure.get() != null) {
                    throw failure.get();
                }
            });
        }
    }

    /**
     * The reply to a BEGIN or COMMIT, waited for no longer than the stall timeout: a server that takes the request
     * and never answers fails it with TIMED_OUT then, even when the request timeout is longer.
     */
    private <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(options.stallTimeoutMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw CourierException.unwrap(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new CourierException(ErrorCode.TIMED_OUT, "no answer from the server within "
                    + options.stallTimeoutMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CourierException(ErrorCode.CONNECTION_CLOSED, "interrupted");
        }
    }

    /** The name a local file is uploaded under when none is given: its own file name. */
    public static String defaultRemoteName(Path local) {
        return local.getFileName().toString();
    }

}
