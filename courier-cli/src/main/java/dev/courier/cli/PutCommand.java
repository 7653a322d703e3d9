package dev.courier.cli;

import dev.courier.client.CourierClient;
import dev.courier.client.UploadResult;
import dev.courier.client.Uploader;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "put", mixinStandardHelpOptions = true,
        description = {"Upload a file to a server started with --upload-dir, over parallel connections, each chunk "
                + "checked (CRC32C) and the whole file (SHA-256) before the server puts it under its final name. "
                + "An interrupted upload resumes when run again."})
final class PutCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ClientOptions server;

    @Mixin
    TransferOptions transfer;

    @Parameters(index = "0", paramLabel = "LOCAL", description = "The file to upload.")
    Path local;

    @Parameters(index = "1", arity = "0..1", paramLabel = "REMOTE",
            description = "Name under the server's upload directory (default: the local file's name).")
    String remote;

    @Override
    public Integer call() {
        String name = remote != null ? remote : Uploader.defaultRemoteName(local);
        try (CourierClient client = server.client()) {
            Uploader u = new Uploader(client, transfer.toOptions(),
                    ProgressBar.forTerminal(spec.commandLine().getErr(), name, transfer.progressLines));
            UploadResult r = u.upload(local, name);
            spec.commandLine().getOut().printf(Locale.ROOT, "%s: %d bytes in %.3f s (%.1f MB/s), SHA-256 %s "
                            + "verified by the server%s%n", r.name(), r.sizeBytes(), r.seconds(),
                    r.megabytesPerSecond(), r.sha256Hex(),
                    r.resumedBytes() > 0 ? ", " + r.resumedBytes() + " bytes resumed" : "");
        }
        return 0;
    }
}
