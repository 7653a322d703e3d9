package dev.courier.server.uploads;

import dev.courier.protocol.FrameDescriptor;

/**
 * How much one server lets its uploads hold: bytes, disk, sessions, descriptors and time. Immutable, validated on
 * construction.
 *
 * @param maxWriteBytes           the most data one UPLOAD_WRITE may carry (announced in UPLOAD_READY)
 * @param maxUploadBytes          the largest size an UPLOAD_BEGIN may declare; a larger one is UPLOAD_TOO_LARGE
 * @param minFreeBytes            the free space, on the upload directory's file system, that a BEGIN must leave
 *                                after its own remaining bytes and those still due to the other open uploads;
 *                                one that would not is DISK_FULL
 * @param maxUploadsPerConnection uploads one connection may hold open at once; one more is TOO_MANY_UPLOADS
 * @param maxUploads              uploads the server keeps at once; when they are all held by open connections,
 *                                one more is TOO_MANY_UPLOADS
 * @param idleCloseMillis         an upload with no write for this long has its part file and journal closed
 *                                (they are opened again on its next write or commit)
 * @param expiryMillis            an upload untouched for this long is dropped and its part file and journal deleted;
 *                                leftovers on disk (a crash, a restart) this old are deleted too
 */
public record UploadLimits(int maxWriteBytes, long maxUploadBytes, long minFreeBytes, int maxUploadsPerConnection,
                           int maxUploads, long idleCloseMillis, long expiryMillis) {
    /**
     * Separate byte ranges one upload may hold. Courier's client has at most a few writes in flight per connection,
     * so it leaves only a handful of gaps; the cap keeps the ranges of one upload within about 90 KiB of heap.
     */
    public static final int MAX_RANGES = 1024;

    public UploadLimits {
        if (maxWriteBytes < 1) {
            throw new IllegalArgumentException("maxWriteBytes must be positive: " + maxWriteBytes);
        }
        if (maxUploadBytes < 1) {
            throw new IllegalArgumentException("maxUploadBytes must be positive: " + maxUploadBytes);
        }
        if (minFreeBytes < 0) {
            throw new IllegalArgumentException("minFreeBytes must be >= 0: " + minFreeBytes);
        }
        if (maxUploadsPerConnection < 1 || maxUploads < 1) {
            throw new IllegalArgumentException("maxUploadsPerConnection and maxUploads must be positive: "
                    + maxUploadsPerConnection + ", " + maxUploads);
        }
        if (idleCloseMillis < 1 || expiryMillis < 1) {
            throw new IllegalArgumentException("idleCloseMillis and expiryMillis must be positive: "
                    + idleCloseMillis + ", " + expiryMillis);
        }
    }

    /** The least data a write that does not end the file may carry. */
    public int minWriteBytes() {
        return Math.min(FrameDescriptor.MIN_UPLOAD_WRITE_BYTES, maxWriteBytes);
    }

    /**
     * Journal entries one upload of {@code sizeBytes} may add. Every write but the last is at least
     * {@link #minWriteBytes} long and a write of bytes already held is not journaled, so an upload needs about
     * size / minWriteBytes entries; twice that, plus room for the gaps, leaves a retrying client plenty. Writes past
     * the cap are still written, just not journaled: after a restart they are sent again.
     */
    public long maxJournalEntries(long sizeBytes) {
        return 2 * Math.ceilDiv(sizeBytes, minWriteBytes()) + 2L * MAX_RANGES;
    }

    /** How often the sweep closes idle uploads' files and drops expired ones: often enough for both timers. */
    long sweepIntervalMillis() {
        return Math.clamp(Math.min(idleCloseMillis, expiryMillis) / 2, 10, 1_000);
    }

    /** How often the upload directory is searched for abandoned part files and journals. */
    long leftoverScanIntervalMillis() {
        return Math.clamp(expiryMillis / 4, sweepIntervalMillis(), 3_600_000);
    }
}
