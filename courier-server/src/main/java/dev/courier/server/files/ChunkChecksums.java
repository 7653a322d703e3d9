package dev.courier.server.files;

import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CRC32Cs of file chunks, kept per {@link FileVersion} so a chunk read again (the same file downloaded by many
 * clients, or again after a failure) is not read twice. Keyed by the version, not the name: a file changed in place
 * has a new change time, so its chunks get fresh CRCs even when its size and modification time are put back.
 * Bounded: past {@link #MAX_ENTRIES} the cache starts over, which costs recomputation only. Thread-safe.
 */
final class ChunkChecksums {
    static final int MAX_ENTRIES = 1 << 16;

    private record Key(FileVersion version, long offsetBytes, int countBytes) {
    }

    private final ConcurrentHashMap<Key, Integer> crcs = new ConcurrentHashMap<>();

    /**
     * The CRC32C of a range of an open file, computed from its bytes the first time.
     *
     * @throws java.io.EOFException when the file has shrunk below the range
     */
    int crc32c(OpenFile file, long offsetBytes, int countBytes) throws IOException {
        Key key = new Key(file.version(), offsetBytes, countBytes);
        Integer known = crcs.get(key);
        if (known != null) {
            return known;
        }
        int crc = Checksums.crc32c(file.channel(), offsetBytes, countBytes);
        if (crcs.size() >= MAX_ENTRIES) {
            crcs.clear();
        }
        crcs.put(key, crc);
        return crc;
    }

    /**
     * Drops the CRCs kept for {@code version}: its bytes changed in a way its version could not show (a write
     * through a shared memory mapping changes no time stamp), as a client's DIGEST with RECOMPUTE suspects.
     */
    void forget(FileVersion version) {
        crcs.keySet().removeIf(k -> k.version().equals(version));
    }
}
