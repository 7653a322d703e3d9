package dev.courier.cli;

import dev.courier.client.CourierException;
import dev.courier.protocol.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where {@code get -o DEST} puts what it fetches, read as curl and cp users expect: {@code -} is standard output, a
 * name ending in {@code /} or naming an existing directory is a folder to put files in under their own names, any
 * other name is the file itself. A folder that does not exist is created only with {@code --create-dirs}; otherwise
 * the error names it (LOCAL_IO_ERROR, exit 1, as every local file problem).
 */
sealed interface GetDestination {
    /** Standard output: the file is fetched and verified aside, then copied out. */
    record Stdout() implements GetDestination {
    }

    /** A folder; each file goes in under its path relative to what was asked for. */
    record Folder(Path dir) implements GetDestination {
    }

    /** One file, under exactly this name. */
    record File(Path path) implements GetDestination {
    }

    /** Reads {@code -o}; null means the current directory. */
    static GetDestination parse(String output) {
        if (output == null) {
            return new Folder(Path.of("."));
        }
        if (output.equals("-")) {
            return new Stdout();
        }
        Path p = Path.of(output);
        return output.endsWith("/") || Files.isDirectory(p) ? new Folder(p) : new File(p);
    }

    /**
     * Makes sure the folder {@code dir} exists: creates it (and its parents) when {@code create}, otherwise fails
     * naming it.
     */
    static void ensureFolder(Path dir, boolean create) {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (Files.exists(dir)) {
            throw new CourierException(ErrorCode.LOCAL_IO_ERROR, "destination folder " + dir + " is not a folder");
        }
        if (!create) {
            throw new CourierException(ErrorCode.LOCAL_IO_ERROR, "destination folder " + dir
                    + " does not exist (create it, or add --create-dirs)");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new CourierException(ErrorCode.LOCAL_IO_ERROR, "cannot create the destination folder " + dir
                    + ": " + e.getMessage(), e);
        }
    }
}
