package dev.courier.cli;

import dev.courier.cli.common.Json;
import dev.courier.client.DownloadResult;
import dev.courier.client.UploadResult;
import dev.courier.protocol.WireText;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What {@code get} and {@code put} print for each file: a summary line for a person, or one JSON object (with
 * {@code --json}) whose fields say their units. A file not transferred (already there, left alone) is reported with
 * {@code skipped} set to the reason; one that failed, in a run of several, with {@code error}.
 */
final class TransferReport {
    /** The fields of {@code get --json}, for its help. */
    static final String GET_FIELDS = "name, path, bytes, seconds, sha256, resumed_bytes, final_sync_seconds, "
            + "skipped (null, \"up to date\" or \"exists\"), and connections, chunk_bytes, mb_per_second, "
            + "fetched_bytes, retries, sha256_verified, size_bytes and final_sync_ms as before; a file that failed "
            + "in a run of several: name and error.";
    /** The fields of {@code put --json}, for its help. */
    static final String PUT_FIELDS = "name, bytes, seconds, sha256, resumed_bytes, mb_per_second, skipped (null or "
            + "\"already there\"); a file that failed in a run of several: name and error.";

    private TransferReport() {
    }

    /** A name (the user's or the server's) as one printable line. */
    static String printable(String name) {
        return WireText.printable(name, CourierCli.MAX_MESSAGE_CHARS);
    }

    /**
     * A finished download.
     *
     * @param digest   whether its SHA-256 was checked
     * @param toStdout whether it went to standard output (its path, a private temporary file, is not reported)
     */
    static String fetched(boolean json, String name, DownloadResult r, boolean digest, boolean toStdout) {
        String path = toStdout ? "-" : r.path() == null ? null : r.path().toString();
        if (!json) {
            return String.format(Locale.ROOT,
                    "%s: %d bytes in %.3f s (%.1f MB/s, %d connections, %d-byte chunks), %s%s%s%s",
                    path == null ? printable(name) + " (discarded)" : toStdout
                            ? printable(name) + " (to standard output)" : path, r.sizeBytes(), r.seconds(), r.megabytesPerSecond(), r.connections(),
                    r.chunkBytes(),
                    digest ? "SHA-256 " + r.sha256Hex() + " verified" : "every chunk's CRC32C verified (no SHA-256)",
                    path == null ? "" : String.format(Locale.ROOT, ", final sync %.1f ms", r.finalSyncMillis()),
                    r.resumedBytes() > 0 ? ", " + r.resumedBytes() + " bytes resumed" : "",
                    r.retries() > 0 ? ", " + r.retries() + " chunks fetched again" : "");
        }
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("name", name);
            g.writeStringField("path", path);
            g.writeNumberField("bytes", r.sizeBytes());
            g.writeNumberField("size_bytes", r.sizeBytes());
            g.writeFieldName("seconds");
            g.writeNumber(String.format(Locale.ROOT, "%.6f", r.seconds()));
            g.writeFieldName("mb_per_second");
            g.writeNumber(String.format(Locale.ROOT, "%.1f", r.megabytesPerSecond()));
            g.writeNumberField("connections", r.connections());
            g.writeNumberField("chunk_bytes", r.chunkBytes());
            g.writeStringField("sha256", digest ? r.sha256Hex() : null);
            g.writeBooleanField("sha256_verified", digest);
            g.writeFieldName("final_sync_seconds");
            g.writeNumber(String.format(Locale.ROOT, "%.6f", r.finalSyncNanos() / 1e9));
            g.writeFieldName("final_sync_ms");
            g.writeNumber(String.format(Locale.ROOT, "%.3f", r.finalSyncMillis()));
            g.writeNumberField("resumed_bytes", r.resumedBytes());
            g.writeNumberField("fetched_bytes", r.fetchedBytes());
            g.writeNumberField("retries", r.retries());
            g.writeNullField("skipped");
            g.writeEndObject();
        });
    }

    /**
     * A file {@code get} left alone.
     *
     * @param sha256Hex the server's SHA-256 when it was compared, else null
     */
    static String skippedGet(boolean json, String name, Path path, long sizeBytes, String sha256Hex, String reason,
                             String text) {
        if (!json) {
            return path + ": " + text;
        }
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("name", name);
            g.writeStringField("path", path.toString());
            g.writeNumberField("bytes", sizeBytes);
            g.writeNumberField("seconds", 0);
            g.writeStringField("sha256", sha256Hex);
            g.writeNumberField("resumed_bytes", 0);
            g.writeNumberField("final_sync_seconds", 0);
            g.writeStringField("skipped", reason);
            g.writeEndObject();
        });
    }

    /** A finished upload. */
    static String uploaded(boolean json, UploadResult r) {
        if (!json) {
            return String.format(Locale.ROOT, "%s: %d bytes in %.3f s (%.1f MB/s), SHA-256 %s verified by the "
                            + "server%s", printable(r.name()), r.sizeBytes(), r.seconds(), r.megabytesPerSecond(),
                    r.sha256Hex(), r.resumedBytes() > 0 ? ", " + r.resumedBytes() + " bytes resumed" : "");
        }
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("name", r.name());
            g.writeNumberField("bytes", r.sizeBytes());
            g.writeFieldName("seconds");
            g.writeNumber(String.format(Locale.ROOT, "%.6f", r.seconds()));
            g.writeFieldName("mb_per_second");
            g.writeNumber(String.format(Locale.ROOT, "%.1f", r.megabytesPerSecond()));
            g.writeStringField("sha256", r.sha256Hex());
            g.writeNumberField("resumed_bytes", r.resumedBytes());
            g.writeNullField("skipped");
            g.writeEndObject();
        });
    }

    /** A file {@code put} did not send: the server holds the same bytes under that name. */
    static String skippedPut(boolean json, String name, long sizeBytes, String sha256Hex) {
        if (!json) {
            return printable(name) + ": the server already holds these " + sizeBytes + " bytes (SHA-256 "
                    + sha256Hex + "); nothing sent";
        }
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("name", name);
            g.writeNumberField("bytes", sizeBytes);
            g.writeNumberField("seconds", 0);
            g.writeStringField("sha256", sha256Hex);
            g.writeNumberField("resumed_bytes", 0);
            g.writeStringField("skipped", "already there");
            g.writeEndObject();
        });
    }

    /** A file that failed in a run of several. */
    static String failedJson(String name, String error) {
        return Json.write(g -> {
            g.writeStartObject();
            g.writeStringField("name", name);
            g.writeStringField("error", error);
            g.writeEndObject();
        });
    }
}
