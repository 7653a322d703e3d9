package dev.courier.cli;

import dev.courier.cli.common.ExitCodes;
import dev.courier.cli.common.Units;
import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.client.DownloadOptions;
import dev.courier.client.DownloadResult;
import dev.courier.client.Downloader;
import dev.courier.client.FileDigest;
import dev.courier.protocol.ErrorCode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "get", mixinStandardHelpOptions = true,
        description = {"Download files over parallel connections. Every chunk is checked (CRC32C) and the whole "
                + "file (SHA-256) before it appears under its final name, with the server's modification time. An "
                + "interrupted download resumes from NAME.courier-part and its journal; lost connections are "
                + "reopened automatically. A local file that already has the server's SHA-256 is not fetched "
                + "again.",
                "With several NAMEs or -r, each file is reported on its own line (or JSON object); one that fails "
                        + "is reported and the others are still fetched; the exit code is the first failure's."})
final class GetCommand implements Callable<Integer> {
    /** The smallest chunk {@code --limit-rate} cuts a download into: a page. */
    private static final int MIN_PACED_CHUNK_BYTES = 4096;

    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions server;

    @Mixin
    TransferOptions transfer;

    @Parameters(arity = "1..*", paramLabel = "NAME",
            description = "File names under the served root; with -r, folders.")
    List<String> names;

    @Option(names = {"-o", "--output"}, paramLabel = "DEST",
            description = "Where to put the file: a file name; a folder (an existing one, or any name ending in /) "
                    + "to put files in under their own names; or - for standard output (verified before a byte is "
                    + "written; no progress bar). Default: the current directory.")
    String output;

    @Option(names = "--create-dirs", description = "Create the destination folder when it does not exist.")
    boolean createDirs;

    @Option(names = "--no-clobber", description = "Leave a file that already exists alone: do not fetch it.")
    boolean noClobber;

    @Option(names = {"-r", "--recursive"},
            description = "NAMEs are folders: fetch every file under them (through LIST), recreating the tree "
                    + "under the destination folder.")
    boolean recursive;

    @Option(names = "--max-depth", paramLabel = "N", defaultValue = "" + RemoteTree.DEFAULT_MAX_DEPTH,
            description = "With -r, how many folders deep to go (default: ${DEFAULT-VALUE}).")
    int maxDepth;

    @Option(names = "--max-files", paramLabel = "N", defaultValue = "" + RemoteTree.DEFAULT_MAX_FILES,
            description = "With -r, refuse a tree of more files than this (default: ${DEFAULT-VALUE}).")
    int maxFiles;

    @Option(names = "--limit-rate", paramLabel = "SIZE", defaultValue = "0", converter = Units.Bytes.class,
            description = "Take in at most SIZE bytes per second, over all connections; 0 for no limit (default). "
                    + Units.SIZE_HELP)
    long limitRateBytesPerSecond;

    @Option(names = "--resume", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Continue an interrupted download (default); --no-resume starts over.")
    boolean resume;

    @Option(names = "--discard", description = "Verify the file and throw the bytes away; write nothing.")
    boolean discard;

    @Option(names = "--digest", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Check the whole file's SHA-256 (default). --no-digest checks only every chunk's CRC32C, "
                    + "for measuring the transfer beyond what one core can hash (about 1.7 GB/s).")
    boolean digest;

    @Option(names = "--stream", negatable = true, defaultValue = "" + DownloadOptions.DEFAULT_STREAM,
            fallbackValue = "true",
            description = "Read with streams when the server knows them (default: ${DEFAULT-VALUE}); --no-stream asks "
                    + "chunk by chunk.")
    boolean stream;

    @Option(names = "--window-size", paramLabel = "BYTES",
            defaultValue = "" + DownloadOptions.DEFAULT_STREAM_WINDOW_BYTES,
            converter = Units.IntBytes.class,
            description = "A stream's credit: bytes the server may send ahead of the disk (default: ${DEFAULT-VALUE})."
                    + " " + Units.SIZE_HELP)
    int windowBytes;

    @Option(names = "--piece-size", paramLabel = "BYTES",
            defaultValue = "" + DownloadOptions.DEFAULT_STREAM_PIECE_BYTES,
            converter = Units.Bytes.class,
            description = "Bytes one stream asks for; 0 splits the file evenly over the connections "
                    + "(default: ${DEFAULT-VALUE}). " + Units.SIZE_HELP)
    long pieceBytes;

    @Option(names = "--json", description = "Print one JSON object per file instead of the summary line: "
            + TransferReport.GET_FIELDS)
    boolean json;

    /** Opened when first needed (LIST for -r, DIGEST for a file already here), closed with the command. */
    private Connection control;
    /** {@link ExitCodes#FAILED} once -r found an entry it will not fetch. */
    private int refusedExit;

    @Override
    public Integer call() {
        if (maxDepth < 0 || maxFiles < 1) {
            throw new ParameterException(spec.commandLine(), "--max-depth must be 0 or more, --max-files at least 1");
        }
        GetDestination dest = GetDestination.parse(output);
        boolean many = recursive || names.size() > 1;
        if (many && dest instanceof GetDestination.Stdout) {
            throw new ParameterException(spec.commandLine(), "-o - takes one file; name a folder for several");
        }
        if (many && dest instanceof GetDestination.File f) {
            throw new ParameterException(spec.commandLine(), "several files go into a folder: -o " + f.path()
                    + "/ (a name ending in /, created with --create-dirs)");
        }
        if (dest instanceof GetDestination.Folder f && !discard) {
            GetDestination.ensureFolder(f.dir(), createDirs);
        }
        PrintWriter report = dest instanceof GetDestination.Stdout ? spec.commandLine().getErr()
                : spec.commandLine().getOut();
        try (CourierClient client = server.client()) {
            try {
                return fetchAll(client, dest, report, many);
            } finally {
                // Before the client closes: a connection closes on its event loop.
                if (control != null) {
                    control.close();
                }
            }
        }
    }

    /** Fetches every item, each reported as it ends; the exit code of the first failure, or 0. */
    private int fetchAll(CourierClient client, GetDestination dest, PrintWriter report, boolean many) {
        int exit = 0;
        for (RemoteTree.Item item : items(client, report)) {
            try {
                String line = fetch(client, item, dest);
                if (json || !server.quiet) {
                    report.println(line);
                    report.flush();
                }
            } catch (RuntimeException e) {
                RuntimeException failure = CourierException.unwrap(e);
                int code = ExitCodes.of(failure);
                if (!many || code == ExitCodes.UNREACHABLE || code == ExitCodes.AUTH) {
                    throw failure;
                }
                failed(report, item.remoteName(), CourierCli.describe(failure));
                exit = exit == 0 ? code : exit;
            }
        }
        return exit == 0 ? refusedExit : exit;
    }

    /** What to fetch: the names given, or the files under the folders given. */
    private List<RemoteTree.Item> items(CourierClient client, PrintWriter report) {
        List<RemoteTree.Item> items = new ArrayList<>();
        for (String name : names) {
            if (!recursive) {
                items.add(new RemoteTree.Item(name, baseName(name)));
                continue;
            }
            RemoteTree.Listing listing = RemoteTree.walk(control(client), name, maxDepth, maxFiles);
            items.addAll(listing.files());
            for (RemoteTree.Refused r : listing.refused()) {
                failed(report, r.remoteName(), r.reason());
                refusedExit = ExitCodes.FAILED;
            }
        }
        return items;
    }

    private void failed(PrintWriter report, String name, String reason) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("courier: " + TransferReport.printable(name) + ": " + reason);
        err.flush();
        if (json) {
            report.println(TransferReport.failedJson(name, reason));
            report.flush();
        }
    }

    private DownloadOptions options() {
        DownloadOptions o = transfer.toOptions().withResume(resume).withDiscard(discard).withVerifyDigest(digest)
                .withStream(stream).withStreamWindowBytes(windowBytes).withStreamPieceBytes(pieceBytes);
        if (limitRateBytesPerSecond == 0) {
            return o;
        }
        // Chunks of about an eighth of a second's worth and a window of half a second's keep each wait short and
        // the server from sending far ahead of the rate.
        int chunk = (int) Math.min(o.chunkBytes(), Math.max(MIN_PACED_CHUNK_BYTES, limitRateBytesPerSecond / 8));
        int window = (int) Math.min(o.streamWindowBytes(), Math.max(2L * chunk, limitRateBytesPerSecond / 2));
        return o.withChunkBytes(chunk).withStreamWindowBytes(window)
                .withRateLimitBytesPerSecond(limitRateBytesPerSecond);
    }

    /** Fetches one file, or says why it was not fetched; the line (or JSON object) to print. */
    private String fetch(CourierClient client, RemoteTree.Item item, GetDestination dest) {
        String name = item.remoteName();
        Path target = switch (dest) {
            case GetDestination.Stdout s -> null;
            case GetDestination.Folder f -> f.dir().resolve(item.localPath());
            case GetDestination.File f -> f.path();
        };
        if (target != null && !discard) {
            Path parent = target.toAbsolutePath().getParent();
            // A tree's own folders are part of what -r fetches; the destination itself needs --create-dirs.
            GetDestination.ensureFolder(parent, createDirs || recursive);
            if (Files.exists(target)) {
                if (noClobber) {
                    return TransferReport.skippedGet(json, name, target, size(target), null, "exists",
                            "exists (--no-clobber), not fetched");
                }
                FileDigest remote = CourierException.join(control(client).digest(name));
                if (LocalDigest.same(target, remote)) {
                    setModified(target, remote.modifiedMillis());
                    return TransferReport.skippedGet(json, name, target, remote.sizeBytes(), remote.sha256Hex(),
                            "up to date", "already up to date (SHA-256 " + remote.sha256Hex() + "), not fetched");
                }
            }
        }
        boolean toStdout = dest instanceof GetDestination.Stdout;
        PrintWriter err = spec.commandLine().getErr();
        ProgressBar bar = toStdout ? ProgressBar.notes(err, name, server.quiet)
                : ProgressBar.of(err, name, transfer.progress, transfer.progressLines, server.quiet);
        Downloader d = new Downloader(client, options(), bar);
        DownloadResult r;
        try {
            r = toStdout && !discard ? toStdout(d, name) : d.download(name, target == null ? Path.of(".") : target);
        } finally {
            bar.end();
        }
        server.verbose(name + ": " + r.connections() + " connections, " + r.chunkBytes() + "-byte chunks, "
                + r.fetchedBytes() + " bytes received, " + r.retries() + " chunks fetched again, " + r.resumedBytes()
                + " bytes resumed");
        return TransferReport.fetched(json, name, r, digest, toStdout && !discard);
    }

    /** Fetches and verifies {@code name} into a private folder, then copies it to standard output. */
    private DownloadResult toStdout(Downloader d, String name) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("courier-get-");
            DownloadResult r = d.download(name, dir.resolve("file"));
            spec.commandLine().getOut().flush();
            PrintStream stdout = System.out;
            Files.copy(r.path(), stdout);
            stdout.flush();
            return r;
        } catch (IOException e) {
            throw new CourierException(ErrorCode.LOCAL_IO_ERROR, "cannot write " + name + " to standard output: "
                    + e.getMessage(), e);
        } finally {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // Only a private temporary folder is left behind; the transfer itself succeeded or failed already.
        }
    }

    private Connection control(CourierClient client) {
        if (control == null) {
            control = client.open();
        }
        return control;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new CourierException(ErrorCode.LOCAL_IO_ERROR, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static void setModified(Path file, long modifiedMillis) {
        try {
            Files.setLastModifiedTime(file, FileTime.fromMillis(modifiedMillis));
        } catch (IOException e) {
            throw new CourierException(ErrorCode.LOCAL_IO_ERROR, "cannot set the modification time of " + file
                    + ": " + e.getMessage(), e);
        }
    }

    static String baseName(String name) {
        String n = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        return n.substring(n.lastIndexOf('/') + 1);
    }
}
