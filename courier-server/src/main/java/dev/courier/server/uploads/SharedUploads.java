package dev.courier.server.uploads;

import java.util.Objects;

/**
 * That a node shares its upload directory with other nodes of a fleet, and the lease of its upload locks
 * ({@link UploadLeases}). Immutable.
 *
 * @param nodeId      names this node in its lock files (a host or pod name)
 * @param leaseMillis how long a lock holds without renewal: the time after a node's crash before its uploads can be
 *                    resumed through another node
 */
public record SharedUploads(String nodeId, long leaseMillis) {
    /** 30 s: ten renewals' worth of stalls (one every 10 s) is not a crash; a crashed node's uploads wait that long. */
    public static final long DEFAULT_LEASE_MILLIS = 30_000;

    public SharedUploads {
        Objects.requireNonNull(nodeId, "nodeId");
        if (leaseMillis < 3) {
            throw new IllegalArgumentException("the upload lease must be at least 3 ms: " + leaseMillis);
        }
    }
}
