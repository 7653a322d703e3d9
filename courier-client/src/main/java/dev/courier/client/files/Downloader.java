package dev.courier.client.files;

import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.StatReply;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Downloads one file over several connections in chunks. Each chunk is written at its offset into
 * {@code NAME.courier-part} beside the destination; only when every byte has arrived and the size matches is the
 * file synced and renamed to its final name, so an interrupted download never leaves a partial file under the
 * final name. One instance per download.
 */
public final class Downloader {
    /** Suffix of the temporary file a download writes into. */
    public static final String PART_SUFFIX = ".courier-part";

    private final CourierClient client;
    private final DownloadOptions options;
    private final DownloadProgress progress;
    private final ChunkListener chunkListener;

    public Downloader(CourierClient client, DownloadOptions options, DownloadProgress progress) {
        this(client, options, progress, ChunkListener.NONE);
    }

    /** As above, and tells {@code chunkListener} about every chunk as it arrives (for per-chunk timing). */
    public Downloader(CourierClient client, DownloadOptions options, DownloadProgress progress,
                      ChunkListener chunkListener) {
        this.client = client;
        this.options = options;
        this.progress = progress;
        this.chunkListener = chunkListener;
    }

    /**
     * Downloads {@code name} to {@code destination} (a file path, or an existing directory to put it in under its
     * own name).
     *
     * @throws CourierException with the server's typed error, CONNECTION_*, VERIFICATION_FAILED or LOCAL_IO_ERROR
     */
    public DownloadResult download(String name, Path destination) {
        long start = System.nanoTime();
        Path target = Files.isDirectory(destination) ? destination.resolve(baseName(name)) : destination;
        Path part = target.resolveSibling(target.getFileName() + PART_SUFFIX);
        List<Connection> connections = new ArrayList<>();
        try (ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor()) {
            Connection first = client.open();
            connections.add(first);
            StatReply stat = join(first.stat(name));
            long size = stat.sizeBytes();
            int chunk = Math.min(options.chunkBytes(), first.limits().maxChunkBytes());
            long chunks = (size + chunk - 1) / chunk;
            int wanted = (int) Math.min(options.connections(), Math.max(1, chunks));
            List<CompletableFuture<Connection>> more = new ArrayList<>();
            for (int i = 1; i < wanted; i++) {
                more.add(client.connect());
            }
            for (CompletableFuture<Connection> f : more) {
                connections.add(join(f));
            }
            try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                if (size > 0) {
                    Transfer t = new Transfer(name, size, chunk, chunks, out, writers);
                    for (Connection c : connections) {
                        for (int i = 0; i < options.readsPerConnection(); i++) {
                            t.next(c);
                        }
                    }
                    join(t.done);
                }
                if (out.size() != size) {
                    throw new CourierException(ErrorCode.VERIFICATION_FAILED,
                            name + ": wrote " + out.size() + " bytes, the server announced " + size);
                }
                out.force(true);
            }
            moveIntoPlace(part, target);
            return new DownloadResult(target, size, System.nanoTime() - start, connections.size(), chunk);
        } catch (IOException e) {
            deleteQuietly(part);
            throw new CourierException(ErrorCode.LOCAL_IO_ERROR, "cannot write " + part + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteQuietly(part);
            throw CourierException.unwrap(e);
        } finally {
            for (Connection c : connections) {
                c.close();
            }
        }
    }

    /**
     * Downloads {@code name} with every check of {@link #download} (each chunk's offset, length and end-of-file
     * flag, the total size) and throws the bytes away: nothing is written anywhere. For measuring the transfer
     * without the disk; the result's path is null.
     *
     * @throws CourierException with the server's typed error, CONNECTION_* or VERIFICATION_FAILED
     */
    public DownloadResult discard(String name) {
        long start = System.nanoTime();
        List<Connection> connections = new ArrayList<>();
        try (ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor()) {
            Connection first = client.open();
            connections.add(first);
            long size = join(first.stat(name)).sizeBytes();
            int chunk = Math.min(options.chunkBytes(), first.limits().maxChunkBytes());
            long chunks = (size + chunk - 1) / chunk;
            int wanted = (int) Math.min(options.connections(), Math.max(1, chunks));
            List<CompletableFuture<Connection>> more = new ArrayList<>();
            for (int i = 1; i < wanted; i++) {
                more.add(client.connect());
            }
            for (CompletableFuture<Connection> f : more) {
                connections.add(join(f));
            }
            if (size > 0) {
                Transfer t = new Transfer(name, size, chunk, chunks, null, writers);
                for (Connection c : connections) {
                    for (int i = 0; i < options.readsPerConnection(); i++) {
                        t.next(c);
                    }
                }
                join(t.done);
                if (t.written.get() != size) {
                    throw new CourierException(ErrorCode.VERIFICATION_FAILED,
                            name + ": received " + t.written.get() + " bytes, the server announced " + size);
                }
            }
            return new DownloadResult(null, size, System.nanoTime() - start, connections.size(), chunk);
        } catch (RuntimeException e) {
            throw CourierException.unwrap(e);
        } finally {
            for (Connection c : connections) {
                c.close();
            }
        }
    }

    /** Hands out chunks to connections as they free up and writes what comes back (nowhere when out is null). */
    private final class Transfer {
        private final String name;
        private final long size;
        private final int chunk;
        private final long chunks;
        private final FileChannel out;
        private final ExecutorService writers;
        private final AtomicLong nextChunk = new AtomicLong();
        private final AtomicLong written = new AtomicLong();
        private final AtomicInteger completed = new AtomicInteger();
        final CompletableFuture<Void> done = new CompletableFuture<>();

        Transfer(String name, long size, int chunk, long chunks, FileChannel out, ExecutorService writers) {
            this.name = name;
            this.size = size;
            this.chunk = chunk;
            this.chunks = chunks;
            this.out = out;
            this.writers = writers;
        }

        void next(Connection c) {
            if (done.isDone()) {
                return;
            }
            long index = nextChunk.getAndIncrement();
            if (index >= chunks) {
                return;
            }
            long offset = index * chunk;
            int length = (int) Math.min(chunk, size - offset);
            long sentNanos = System.nanoTime();
            c.read(name, offset, length).whenComplete((reply, err) -> {
                if (err != null) {
                    done.completeExceptionally(CourierException.unwrap(err));
                    return;
                }
                chunkListener.received(offset, reply.lengthBytes(), System.nanoTime() - sentNanos);
                try {
                    writers.execute(() -> store(c, reply, offset, length));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    reply.release(); // the download already ended
                }
            });
        }

        private void store(Connection c, ChunkReply reply, long offset, int length) {
            try {
                if (done.isDone()) {
                    return;
                }
                boolean shouldBeLast = offset + length == size;
                if (reply.offsetBytes() != offset || reply.lengthBytes() != length || reply.last() != shouldBeLast) {
                    throw new CourierException(ErrorCode.VERIFICATION_FAILED, name + ": asked for " + length
                            + " bytes at " + offset + ", got " + reply.lengthBytes() + " bytes at "
                            + reply.offsetBytes() + (reply.last() ? " (end of file)" : "")
                            + "; did the file change on the server?");
                }
                if (out != null) {
                    write(reply.data(), offset);
                }
            } catch (IOException e) {
                done.completeExceptionally(new CourierException(ErrorCode.LOCAL_IO_ERROR,
                        "cannot write chunk at " + offset + ": " + e.getMessage(), e));
                return;
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
                return;
            } finally {
                reply.release();
            }
            progress.advanced(written.addAndGet(length), size);
            if (completed.incrementAndGet() == chunks) {
                done.complete(null);
            } else {
                next(c);
            }
        }

        private void write(ByteBuf data, long offset) throws IOException {
            long position = offset;
            for (ByteBuffer b : data.nioBuffers()) {
                while (b.hasRemaining()) {
                    position += out.write(b, position);
                }
            }
        }
    }

    private static void moveIntoPlace(Path part, Path target) throws IOException {
        try {
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (RuntimeException e) {
            throw CourierException.unwrap(e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // Best effort: a leftover part file never carries the final name.
        }
    }

    static String baseName(String name) {
        String n = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        int slash = n.lastIndexOf('/');
        return slash < 0 ? n : n.substring(slash + 1);
    }
}
