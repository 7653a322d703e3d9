package dev.courier.server.uploads;

import dev.courier.protocol.WireText;
import dev.courier.server.files.FileRoot;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds part files and journals in the upload directory that nothing has touched for the expiry and deletes them:
 * what a crash, a restart or a client that never came back left behind. Younger ones stay, so that their uploads
 * can resume. An upload's files (part file, journal, the journal's temporary file) go together, aged by the newest
 * of them. Links are not followed.
 *
 * <p>Not thread-safe: the service runs one scan at a time.
 */
final class Leftovers {
    private static final Logger log = LoggerFactory.getLogger(Leftovers.class);
    private static final String JOURNAL = FileRoot.PART_SUFFIX + FileRoot.JOURNAL_SUFFIX;
    /** An upload's lock ({@link UploadLeases}): renewed while it lives, so an old one is a crashed node's. */
    private static final String LOCK = FileRoot.PART_SUFFIX + UploadLeases.LOCK_SUFFIX;
    private static final String JOURNAL_TMP = JOURNAL + ".tmp";

    private final Path dir;

    Leftovers(Path dir) {
        this.dir = dir;
    }

    /**
     * Deletes the files of every upload untouched for {@code expiryMillis}, except those {@code inUse} claims.
     *
     * @param inUse asked once per expired upload, by its name, just before its files are deleted; it runs while
     *              {@code lock} is held, so no BEGIN of that name can slip in between
     * @param lock  the lock that BEGIN takes to claim a name
     * @return the number of uploads whose files were deleted
     */
    int removeOlderThan(long expiryMillis, Predicate<String> inUse, Object lock) throws IOException {
        Map<String, Group> groups = new HashMap<>();
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                String name = uploadName(dir.relativize(file).toString());
                if (name != null && !attrs.isDirectory()) {
                    groups.computeIfAbsent(name, n -> new Group()).add(file, attrs.lastModifiedTime().toMillis());
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE; // vanished or unreadable: not ours to judge
            }
        });
        long nowMillis = System.currentTimeMillis();
        int removed = 0;
        for (Map.Entry<String, Group> e : groups.entrySet()) {
            long ageMillis = nowMillis - e.getValue().newestMillis;
            if (ageMillis < expiryMillis) {
                continue;
            }
            synchronized (lock) {
                if (inUse.test(e.getKey())) {
                    continue;
                }
                for (Path p : e.getValue().files) {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException ex) {
                        log.warn("cannot delete the abandoned upload file {}: {}", p, ex.toString());
                    }
                }
            }
            removed++;
            log.info("deleted the abandoned upload '{}': untouched for {} s", WireText.printable(e.getKey()),
                    ageMillis / 1000);
        }
        return removed;
    }

    /** The upload a file of the upload directory belongs to, or null when it is not a part file or journal. */
    static String uploadName(String relative) {
        for (String suffix : new String[] {JOURNAL_TMP, JOURNAL, FileRoot.PART_SUFFIX, LOCK}) {
            if (relative.endsWith(suffix) && relative.length() > suffix.length()) {
                return relative.substring(0, relative.length() - suffix.length());
            }
        }
        return null;
    }

    private static final class Group {
        final List<Path> files = new ArrayList<>(3);
        long newestMillis = Long.MIN_VALUE;

        void add(Path file, long modifiedMillis) {
            files.add(file);
            newestMillis = Math.max(newestMillis, modifiedMillis);
        }
    }
}
