package dev.courier.cli.common;

import dev.courier.client.ClientConfig;
import picocli.CommandLine.Option;

/**
 * The {@code -s/--server HOST:PORT} option, declared once for every command that talks to a Courier server (the
 * client commands through {@code ClientOptions}, the bench commands directly). A picocli mixin: a command holds it
 * in a {@code @Mixin} field.
 */
public final class ServerOption {
    @Option(names = {"-s", "--server"}, paramLabel = "HOST:PORT[,HOST:PORT...]", defaultValue = "127.0.0.1:7420",
            description = "Courier server to talk to: HOST:PORT, HOST, or PORT alone for 127.0.0.1 (default: "
                    + "${DEFAULT-VALUE}). Several, comma-separated, are tried in turn when one refuses or loses the "
                    + "connection (pick-first).")
    private String server;

    /** The address as the user wrote it, for reports. */
    public String address() {
        return server;
    }

    /** A client configuration for the address, every other setting at its default. */
    public ClientConfig config() {
        return ClientConfig.parse(server);
    }
}
