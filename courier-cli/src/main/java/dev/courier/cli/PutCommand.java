package dev.courier.cli;

import dev.courier.cli.common.ExitCodes;
import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.client.FileDigest;
import dev.courier.client.UploadResult;
import dev.courier.client.Uploader;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "put", mixinStandardHelpOptions = true,
        description = {"Upload files to a server started with --upload-dir, over parallel connections, each chunk "
                + "checked (CRC32C) and the whole file (SHA-256) before the server puts it under its final name. "
                + "An interrupted upload resumes when run again.",
                "A file the server already holds under that name with the same SHA-256 (asked with DIGEST, so "
                        + "when the server also serves its upload directory, --files DIR) is not sent again.",
                "put FILE REMOTE, the second not a local file, uploads FILE as REMOTE; otherwise each FILE goes "
                        + "under its own name, and one that fails is reported while the others go on."})
final class PutCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions server;

    @Mixin
    TransferOptions transfer;

    @Parameters(arity = "1..*", paramLabel = "FILE",
            description = "The files to upload; or FILE REMOTE: one file under the name REMOTE.")
    List<String> args;

    @Option(names = "--json", description = "Print one JSON object per file instead of the summary line: "
            + TransferReport.PUT_FIELDS)
    boolean json;

    /** One local file and the name it gets on the server. */
    private record Item(Path local, String remote) {
    }

    @Override
    public Integer call() {
        List<Item> items = items();
        boolean many = items.size() > 1;
        PrintWriter out = spec.commandLine().getOut();
        try (CourierClient client = server.client(); Connection control = client.open()) {
            int exit = 0;
            for (Item item : items) {
                try {
                    String line = put(client, control, item);
                    if (json || !server.quiet) {
                        out.println(line);
                        out.flush();
                    }
                } catch (RuntimeException e) {
                    RuntimeException failure = CourierException.unwrap(e);
                    int code = ExitCodes.of(failure);
                    if (!many || code == ExitCodes.UNREACHABLE || code == ExitCodes.AUTH) {
                        throw failure;
                    }
                    String reason = CourierCli.describe(failure);
                    spec.commandLine().getErr().println("courier: " + item.local() + ": " + reason);
                    spec.commandLine().getErr().flush();
                    if (json) {
                        out.println(TransferReport.failedJson(item.remote(), reason));
                    }
                    exit = exit == 0 ? code : exit;
                }
            }
            return exit;
        } catch (RuntimeException e) {
            throw CourierException.unwrap(e);
        }
    }

    private List<Item> items() {
        if (args.size() == 2 && !Files.exists(Path.of(args.get(1)))) {
            return List.of(new Item(Path.of(args.get(0)), args.get(1)));
        }
        return args.stream().map(Path::of).map(p -> new Item(p, Uploader.defaultRemoteName(p))).toList();
    }

    private String put(CourierClient client, Connection control, Item item) {
        Optional<FileDigest> there = held(control, item.remote());
        if (there.isPresent() && Files.isRegularFile(item.local()) && LocalDigest.same(item.local(), there.get())) {
            return TransferReport.skippedPut(json, item.remote(), there.get().sizeBytes(), there.get().sha256Hex());
        }
        ProgressBar bar = ProgressBar.of(spec.commandLine().getErr(), item.remote(), transfer.progress,
                transfer.progressLines, server.quiet);
        UploadResult r;
        try {
            r = new Uploader(client, transfer.toOptions(), bar).upload(item.local(), item.remote());
        } finally {
            bar.end();
        }
        server.verbose(item.remote() + ": " + r.sentBytes() + " bytes sent, " + r.resumedBytes()
                + " bytes resumed");
        return TransferReport.uploaded(json, r);
    }

    /**
     * What the server holds under {@code name}, when it says: a server that does not serve its upload directory,
     * or has no such file, answers with an error, and the file is uploaded.
     */
    private static Optional<FileDigest> held(Connection control, String name) {
        try {
            return Optional.of(control.digest(name).join());
        } catch (RuntimeException e) {
            RuntimeException failure = CourierException.unwrap(e);
            if (ExitCodes.of(failure) == ExitCodes.UNREACHABLE) {
                throw failure;
            }
            return Optional.empty();
        }
    }
}
