package dev.courier.server.files;

/**
 * One version of one file: which inode it is and the size and times it had. Two reads of a file that give equal
 * versions saw the same bytes, as far as the kernel can tell: a write in place changes the change time
 * ({@code ctime}) even when the size and the modification time are put back, and a file replaced by another (a
 * rename over it) has another inode. Checksums and open descriptors are kept per version, never per name.
 * Immutable.
 *
 * @param device        the device the file is on ({@code st_dev}, major and minor)
 * @param inode         its inode number ({@code st_ino})
 * @param sizeBytes     its size
 * @param modifiedNanos its modification time ({@code st_mtime}), nanoseconds since the epoch
 * @param changedNanos  its status change time ({@code st_ctime}), nanoseconds since the epoch; 0 where the platform
 *                      has none
 */
public record FileVersion(long device, long inode, long sizeBytes, long modifiedNanos, long changedNanos) {
    /** The modification time as the wire carries it: milliseconds since the epoch, rounded down. */
    public long modifiedMillis() {
        return Math.floorDiv(modifiedNanos, 1_000_000L);
    }
}
