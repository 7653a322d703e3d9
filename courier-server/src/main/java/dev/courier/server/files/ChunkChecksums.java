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
     * The CRC32Cs of consecutive chunks of {@code chunkBytes} from {@code offsetBytes} to {@code endBytes} (the last
     * may be shorter): from the cache when it holds every one, else all read afresh in one pass and kept.
     *
     * @throws java.io.EOFException when the file has shrunk below the range
     */
    int[] crc32cs(OpenFile file, long offsetBytes, long endBytes, int chunkBytes) throws IOException {
        int n = (int) ((endBytes - offsetBytes + chunkBytes - 1) / chunkBytes);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            Integer known = crcs.get(key(file, offsetBytes + (long) i * chunkBytes, endBytes, chunkBytes));
            if (known == null) {
                return computeAndKeep(file, offsetBytes, endBytes, chunkBytes);
            }
            out[i] = known;
        }
        return out;
    }

    private int[] computeAndKeep(OpenFile file, long offsetBytes, long endBytes, int chunkBytes) throws IOException {
        int[] computed = Checksums.crc32cOfChunks(file.channel(), offsetBytes, endBytes, chunkBytes);
        if (crcs.size() + computed.length > MAX_ENTRIES) {
            crcs.clear();
        }
        for (int i = 0; i < computed.length; i++) {
            crcs.put(key(file, offsetBytes + (long) i * chunkBytes, endBytes, chunkBytes), computed[i]);
        }
        return computed;
    }

    private static Key key(OpenFile file, long fromBytes, long endBytes, int chunkBytes) {
        return new Key(file.version(), fromBytes, (int) Math.min(chunkBytes, endBytes - fromBytes));
    }

    /**
     * Drops the CRCs kept for {@code version}: its bytes changed in a way its version could not show (a write
     * through a shared memory mapping changes no time stamp), as a client's DIGEST with RECOMPUTE suspects.
     */
    void forget(FileVersion version) {
        crcs.keySet().removeIf(k -> k.version().equals(version));
    }
}
