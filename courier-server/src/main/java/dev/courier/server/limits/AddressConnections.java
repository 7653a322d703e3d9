package dev.courier.server.limits;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Counts the open connections of each client address, for {@code --max-connections-per-ip}. An address is in the
 * table only while it has a connection open, so the table never holds more entries than there are connections.
 * Thread-safe: one lock, taken at connect and close.
 */
public final class AddressConnections {
    private final int maxPerAddress;
    private final Map<InetAddress, Integer> open = new HashMap<>();

    /** @param maxPerAddress the most connections one address holds at once (positive) */
    public AddressConnections(int maxPerAddress) {
        this.maxPerAddress = maxPerAddress;
    }

    /** Counts a new connection from {@code address} and returns true, or returns false when it already has the most. */
    public synchronized boolean tryOpen(InetAddress address) {
        int n = open.getOrDefault(address, 0);
        if (n >= maxPerAddress) {
            return false;
        }
        open.put(address, n + 1);
        return true;
    }

    /** A connection counted by {@link #tryOpen} has closed. */
    public synchronized void closed(InetAddress address) {
        open.computeIfPresent(address, (a, n) -> n > 1 ? n - 1 : null);
    }

    public int maxPerAddress() {
        return maxPerAddress;
    }

    /** Addresses with a connection open. */
    public synchronized int addresses() {
        return open.size();
    }
}
