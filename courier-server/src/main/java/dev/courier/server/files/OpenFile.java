package dev.courier.server.files;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One open descriptor of one {@link FileVersion} of a file, shared by every request that reads that version, on
 * every connection. Reference-counted: {@link OpenFiles} holds one reference while the file is in its cache, and
 * each request (and each chunk on its way out, through a {@link SharedFileRegion}) holds one more; the channel is
 * closed when the last is released. Nobody else may close the channel. Thread-safe.
 */
public final class OpenFile {
    private final FileChannel channel;
    private final FileVersion version;
    private final OpenFiles owner;
    private final AtomicInteger references = new AtomicInteger(1);

    /** @param owner the cache to tell when a reference is released, or null */
    OpenFile(FileChannel channel, FileVersion version, OpenFiles owner) {
        this.channel = channel;
        this.version = version;
        this.owner = owner;
    }

    /** The open file, for positional reads and sendfile; never close it. */
    public FileChannel channel() {
        return channel;
    }

    /** The version that was opened, read from the descriptor when it was opened. */
    public FileVersion version() {
        return version;
    }

    /**
     * One more reference; the caller must {@link #release()} it. Fails on a file already closed, so only a holder of a
     * reference may call it.
     */
    public OpenFile retain() {
        int before = references.getAndIncrement();
        if (before <= 0) {
            references.getAndDecrement();
            throw new IllegalStateException("retained after it was closed: " + this);
        }
        return this;
    }

    /** Gives a reference back; the last one closes the file. */
    public void release() {
        int left = references.decrementAndGet();
        if (left == 0) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Read-only: closing cannot lose data.
            }
        } else if (left < 0) {
            throw new IllegalStateException("released more often than retained: " + this);
        } else if (left == 1 && owner != null) {
            owner.unused(this);
        }
    }

    /** References held now, the cache's included. */
    int references() {
        return references.get();
    }

    @Override
    public String toString() {
        return "OpenFile" + version;
    }
}
