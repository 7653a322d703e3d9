package dev.courier.server.files;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CRC32Cs of file chunks, kept per file version (size and modification time) so a chunk read again (the same file
 * downloaded by many clients, or again after a failure) is not read twice. Bounded: past {@link #MAX_ENTRIES} the
 * cache starts over, which costs recomputation only. Thread-safe.
 */
final class ChunkChecksums {
    static final int MAX_ENTRIES = 1 << 16;

    private record Key(Path file, long sizeBytes, long modifiedMillis, long offsetBytes, int countBytes) {
    }

    private final ConcurrentHashMap<Key, Integer> crcs = new ConcurrentHashMap<>();

    int crc32c(Path file, long sizeBytes, long modifiedMillis, FileChannel channel, long offsetBytes, int countBytes)
            throws IOException {
        Key key = new Key(file, sizeBytes, modifiedMillis, offsetBytes, countBytes);
        Integer known = crcs.get(key);
        if (known != null) {
            return known;
        }
        int crc = Checksums.crc32c(channel, offsetBytes, countBytes);
        if (crcs.size() >= MAX_ENTRIES) {
            crcs.clear();
        }
        crcs.put(key, crc);
        return crc;
    }
}
