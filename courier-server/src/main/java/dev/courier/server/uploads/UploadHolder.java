package dev.courier.server.uploads;

/**
 * Who holds an upload, as the upload service sees it: one connection, known only by whether it is still open. An
 * upload is its holder's while the holder is open; another holder beginning the same name gets UPLOAD_CONFLICT, and
 * once the holder has gone anyone may resume it. Holders are told apart by identity, so a connection passes the
 * same object to every BEGIN. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface UploadHolder {
    /** True while the connection is open. */
    boolean isOpen();
}
