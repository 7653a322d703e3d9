package dev.courier.server.ops;

import java.util.Locale;

/** The {@code reason} label of {@code courier_connections_rejected_total}: which limit turned a connection away. */
public enum ConnectionRefusal {
    /** {@code --max-connections}: the process holds all it may. */
    MAX_CONNECTIONS,
    /** {@code --max-connections-per-ip}: the client's address holds all it may. */
    MAX_CONNECTIONS_PER_IP,
    /** {@code --legacy-max-connections}: the legacy port holds all it may. */
    LEGACY_MAX_CONNECTIONS;

    final String label = name().toLowerCase(Locale.ROOT);
}
