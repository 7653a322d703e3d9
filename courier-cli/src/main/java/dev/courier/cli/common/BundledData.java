package dev.courier.cli.common;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the data set that ships with Courier ({@code data/bimdc} at the top of the project), wherever the command
 * is run from: first where the launcher says the project is, then above the jar, then above the working directory.
 */
public final class BundledData {
    static final String RELATIVE = "data/bimdc";

    private BundledData() {
    }

    /** The bundled data directory; throws IllegalArgumentException (a usage error) when it cannot be found. */
    public static Path locate() {
        String home = System.getProperty("courier.home");
        if (home != null) {
            Path p = Path.of(home).resolve(RELATIVE);
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        try {
            Path jar = Path.of(BundledData.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path found = searchUp(jar);
            if (found != null) {
                return found;
            }
        } catch (URISyntaxException | RuntimeException ignored) {
            // Fall back to the working directory.
        }
        Path found = searchUp(Path.of("").toAbsolutePath());
        if (found != null) {
            return found;
        }
        throw new IllegalArgumentException("cannot find the bundled data set (" + RELATIVE
                + "); pass --data DIR");
    }

    private static Path searchUp(Path from) {
        for (Path p = from; p != null; p = p.getParent()) {
            Path candidate = p.resolve(RELATIVE);
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
