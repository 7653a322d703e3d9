package dev.courier.server.files;

import io.netty.channel.DefaultFileRegion;

/**
 * A range of a shared {@link OpenFile} on its way out by sendfile. It holds one reference to the file, given to it
 * by whoever made it, and releases that reference when Netty releases the region (written, failed or dropped);
 * it never closes the channel, which other requests share. A subclass of {@link DefaultFileRegion} because Netty's
 * epoll transport sends only those with sendfile.
 */
public final class SharedFileRegion extends DefaultFileRegion {
    private final OpenFile file;

    /** Takes over one reference to {@code file} that the caller holds. */
    public SharedFileRegion(OpenFile file, long positionBytes, long countBytes) {
        super(file.channel(), positionBytes, countBytes);
        this.file = file;
    }

    @Override
    protected void deallocate() {
        file.release();
    }
}
