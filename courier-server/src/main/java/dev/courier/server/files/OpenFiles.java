package dev.courier.server.files;

import dev.courier.protocol.Failure;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The server's open files, one descriptor per file version shared by every request on every connection, as nginx's
 * {@code open_file_cache}: a thousand clients downloading one file hold one descriptor, not one per chunk in flight.
 *
 * <p>Keyed by real path. Each request stats the path and uses the cached descriptor only when the file's version
 * (device, inode, size, modification and change times) is still the one that was opened; otherwise it opens the
 * file again, confined to the root ({@link FileRoot#openFile}), and the new descriptor replaces the old one, which
 * closes when the last request using it lets go. Entries are reference-counted ({@link OpenFile}); no more than
 * {@code maxOpenFiles} stay open while nobody uses them, the least recently used closed first. Files in use are
 * never closed, so the descriptors held at once are at most {@code maxOpenFiles} plus the files that requests in
 * flight are reading, which each connection bounds.
 *
 * <p>Blocking ({@link #acquire} stats and opens): call it off the event loop; {@link #acquireCached} only stats, and
 * may be called on one. {@link OpenFile#release()} may be called anywhere. Thread-safe: one lock, held for map operations only, never across a system call.
 */
public final class OpenFiles implements AutoCloseable {
    private final FileRoot root;
    private final int maxOpenFiles;
    /** Least recently used first; each value holds one reference for the cache. */
    private final LinkedHashMap<Path, OpenFile> cache = new LinkedHashMap<>(16, 0.75f, true);
    /** {@code cache.size()}, readable without the lock: a release checks it before it bothers to trim. */
    private volatile int cached;
    private boolean closed;

    /**
     * @param maxOpenFiles how many files may stay open while no request uses them; 0 closes each file as soon as
     *                     its last request is done
     */
    public OpenFiles(FileRoot root, int maxOpenFiles) {
        if (maxOpenFiles < 0) {
            throw new IllegalArgumentException("maxOpenFiles must be >= 0: " + maxOpenFiles);
        }
        this.root = root;
        this.maxOpenFiles = maxOpenFiles;
    }

    /**
     * The regular file {@code name} names, as it is now, with a reference the caller must release.
     *
     * @throws Failure what {@link FileRoot#resolve} and {@link FileRoot#openFile} throw
     */
    public OpenFile acquire(String name) {
        return acquire(root.resolve(name), name);
    }

    /**
     * The open file {@code name} names, with a reference the caller must release, when it is already in the cache and
     * still the version that was opened; null otherwise, and the caller then asks {@link #acquire(String)}, which may
     * open it. Never opens anything: one {@code lstat} and one map lookup, cheap enough for an event loop.
     *
     * <p>The name is taken as it reads, with no link followed ({@link FileRoot#lexical}), which is what
     * {@link #acquire(String)} resolves it to when no link is in it; a name with a link in it does not find its
     * file here, and one whose path has become a link since finds another version (another inode) and gets null. So
     * this answers with a descriptor that {@link #acquire(String)} opened confined to the root and that the name
     * still leads to, or with nothing.
     *
     * @throws Failure MALFORMED_REQUEST or OUTSIDE_ROOT for a name that {@link #acquire(String)} refuses without
     *                 looking at the disk
     */
    public OpenFile acquireCached(String name) {
        Path path = root.lexical(name);
        FileStatus now;
        try {
            now = root.status(path, name);
        } catch (Failure e) {
            // Gone or unreadable: acquire says which, with the same checks as for every other request.
            return null;
        }
        if (!now.regular()) {
            return null;
        }
        synchronized (this) {
            OpenFile known = cache.get(path);
            return known != null && known.version().equals(now.version()) ? known.retain() : null;
        }
    }

    /** {@link #acquire(String)} of a name already resolved to {@code real}. */
    OpenFile acquire(Path real, String name) {
        FileStatus now = root.status(real, name);
        if (!now.regular()) {
            throw FileRoot.notAFile(name);
        }
        synchronized (this) {
            OpenFile known = cache.get(real);
            if (known != null && known.version().equals(now.version())) {
                return known.retain();
            }
        }
        FileRoot.Opened opened = root.openFile(real, name);
        OpenFile fresh = new OpenFile(opened.channel(), opened.version(), this);
        OpenFile replaced;
        List<OpenFile> trimmed;
        synchronized (this) {
            if (closed) {
                return new OpenFile(opened.channel(), opened.version(), null);
            }
            OpenFile known = cache.get(real);
            if (known != null && known.version().equals(fresh.version())) {
                // Another request opened the same version meanwhile: share its descriptor, drop ours.
                known.retain();
                closeQuietly(fresh);
                return known;
            }
            fresh.retain();
            replaced = cache.put(real, fresh);
            trimmed = trim();
        }
        if (replaced != null) {
            replaced.release();
        }
        trimmed.forEach(OpenFile::release);
        return fresh;
    }

    /** Files open now, used or not, that the cache holds. */
    public int cachedFiles() {
        return cached;
    }

    /** Called by an {@link OpenFile} when only one reference, maybe the cache's, is left. */
    void unused(OpenFile file) {
        if (cached <= maxOpenFiles) {
            return;
        }
        List<OpenFile> trimmed;
        synchronized (this) {
            trimmed = trim();
        }
        trimmed.forEach(OpenFile::release);
    }

    /** Takes the least recently used files nobody uses out of the cache until it is within its cap. */
    private List<OpenFile> trim() {
        List<OpenFile> out = new ArrayList<>(0);
        Iterator<OpenFile> it = cache.values().iterator();
        while (cache.size() > maxOpenFiles && it.hasNext()) {
            OpenFile f = it.next();
            // Under the lock nobody can take a new reference, so one reference is the cache's alone.
            if (f.references() == 1) {
                it.remove();
                out.add(f);
            }
        }
        cached = cache.size();
        return out;
    }

    /** Closes every file nobody uses; the others close when their last request lets go. Idempotent. */
    @Override
    public void close() {
        List<OpenFile> all;
        synchronized (this) {
            closed = true;
            all = new ArrayList<>(cache.values());
            cache.clear();
            cached = 0;
        }
        all.forEach(OpenFile::release);
    }

    private static void closeQuietly(OpenFile f) {
        try {
            f.channel().close();
        } catch (IOException ignored) {
            // Read-only: closing cannot lose data.
        }
    }
}
