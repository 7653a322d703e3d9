package dev.courier.cli;

import dev.courier.client.Connection;
import dev.courier.client.CourierException;
import dev.courier.client.DirectoryEntry;
import dev.courier.protocol.WireText;
import java.util.ArrayList;
import java.util.List;

/**
 * The files under a folder on the server, found through LIST, for {@code get -r}: each with its name on the server
 * and the path it gets under the destination (the folder's own name first, as {@code cp -r} and {@code scp -r} do).
 *
 * <p>Names come from the server: one that is empty, {@code .} or {@code ..}, or holds a {@code /}, a backslash or a
 * NUL could write outside the destination, and is refused and reported rather than fetched. The walk is bounded in
 * depth and in files; a folder that cannot be listed (OUTSIDE_ROOT, NOT_FOUND, ...) is reported and the walk goes
 * on with the rest.
 *
 * <p>Not thread-safe: one walk at a time, on the caller's thread.
 */
final class RemoteTree {
    static final int DEFAULT_MAX_DEPTH = 32;
    static final int DEFAULT_MAX_FILES = 100_000;

    /** A file to fetch: its name on the server and its path, '/'-separated, under the destination. */
    record Item(String remoteName, String localPath) {
    }

    /** Something under the folder that is not fetched, and why. */
    record Refused(String remoteName, String reason) {
    }

    /** What the walk found. */
    record Listing(List<Item> files, List<Refused> refused) {
    }

    private final Connection connection;
    private final int maxDepth;
    private final int maxFiles;
    private final List<Item> files = new ArrayList<>();
    private final List<Refused> refused = new ArrayList<>();

    private RemoteTree(Connection connection, int maxDepth, int maxFiles) {
        this.connection = connection;
        this.maxDepth = maxDepth;
        this.maxFiles = maxFiles;
    }

    /**
     * Lists the tree under {@code folder} (a name under the served root; "" for the root itself).
     *
     * @throws CourierException when {@code folder} itself cannot be listed
     * @throws IllegalStateException when the tree holds more than {@code maxFiles} files
     */
    static Listing walk(Connection connection, String folder, int maxDepth, int maxFiles) {
        String root = folder.endsWith("/") ? folder.substring(0, folder.length() - 1) : folder;
        RemoteTree tree = new RemoteTree(connection, maxDepth, maxFiles);
        List<DirectoryEntry> top = list(connection, root);
        String base = root.substring(root.lastIndexOf('/') + 1);
        tree.visit(root, base, top, 0);
        return new Listing(List.copyOf(tree.files), List.copyOf(tree.refused));
    }

    private void visit(String remote, String local, List<DirectoryEntry> entries, int depth) {
        for (DirectoryEntry e : entries) {
            String remoteName = remote.isEmpty() ? e.name() : remote + "/" + e.name();
            if (!safe(e.name())) {
                refused.add(new Refused(remoteName, "the server sent the entry name '"
                        + WireText.printable(e.name()) + "', which could write outside the destination"));
                continue;
            }
            String localPath = local.isEmpty() ? e.name() : local + "/" + e.name();
            if (!e.directory()) {
                if (files.size() == maxFiles) {
                    throw new IllegalStateException("more than " + maxFiles + " files under '"
                            + WireText.printable(remote) + "'; raise --max-files to fetch them all");
                }
                files.add(new Item(remoteName, localPath));
            } else if (depth + 1 > maxDepth) {
                refused.add(new Refused(remoteName, "deeper than --max-depth " + maxDepth));
            } else {
                List<DirectoryEntry> inner;
                try {
                    inner = list(connection, remoteName);
                } catch (CourierException failure) {
                    refused.add(new Refused(remoteName, failure.code() + ": " + failure.getMessage()));
                    continue;
                }
                visit(remoteName, localPath, inner, depth + 1);
            }
        }
    }

    /** A name that stays inside its folder: one path element, neither . nor .., no separator or NUL. */
    static boolean safe(String name) {
        return !name.isEmpty() && !name.equals(".") && !name.equals("..") && name.indexOf('/') < 0
                && name.indexOf('\\') < 0 && name.indexOf('\0') < 0;
    }

    private static List<DirectoryEntry> list(Connection c, String path) {
        try {
            return c.list(path).join();
        } catch (RuntimeException e) {
            throw CourierException.unwrap(e);
        }
    }
}
