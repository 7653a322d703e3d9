package dev.courier.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * What {@code courier --version} prints: the release, the commit it was built from (from {@code git.properties},
 * written by the build) and the Java it runs on, the three things a bug report needs.
 */
final class VersionInfo implements IVersionProvider {
    static final String UNKNOWN = "unknown";

    @Override
    public String[] getVersion() {
        return new String[] {
                "courier " + release() + " (commit " + commit() + ")",
                "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + "), "
                        + System.getProperty("os.name") + " " + System.getProperty("os.arch")};
    }

    /** The project's version from the jar's manifest; "unknown" when run from classes, as in tests. */
    static String release() {
        String v = VersionInfo.class.getPackage().getImplementationVersion();
        return v != null ? v : UNKNOWN;
    }

    /** The abbreviated commit, "-dirty" when the tree had changes, then its time; "unknown" outside a checkout. */
    static String commit() {
        Properties git = new Properties();
        try (InputStream in = VersionInfo.class.getResourceAsStream("git.properties")) {
            if (in != null) {
                git.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String id = git.getProperty("git.commit.id.abbrev");
        if (id == null || id.isBlank()) {
            return UNKNOWN;
        }
        String dirty = Boolean.parseBoolean(git.getProperty("git.dirty")) ? "-dirty" : "";
        String time = git.getProperty("git.commit.time", "");
        return id + dirty + (time.isBlank() ? "" : ", " + time);
    }
}
