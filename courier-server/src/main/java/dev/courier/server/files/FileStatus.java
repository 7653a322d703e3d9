package dev.courier.server.files;

/**
 * What one {@code stat} of a file said: its type and its {@link FileVersion}. Immutable.
 */
record FileStatus(Type type, FileVersion version) {
    /** The file types the server tells apart; everything else (FIFO, device, socket) is {@link #OTHER}. */
    enum Type {
        REGULAR, DIRECTORY, LINK, OTHER
    }

    boolean regular() {
        return type == Type.REGULAR;
    }
}
