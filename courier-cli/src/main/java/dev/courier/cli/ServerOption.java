package dev.courier.cli;

import dev.courier.client.ClientConfig;
import dev.courier.client.CourierClient;
import picocli.CommandLine.Option;

/** The {@code --server HOST:PORT} option shared by every client command. */
final class ServerOption {
    @Option(names = {"-s", "--server"}, paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:7420",
            description = "Server to talk to (default: ${DEFAULT-VALUE}).")
    String server;

    @Option(names = "--timeout-ms", paramLabel = "MILLIS", defaultValue = "30000",
            description = "Deadline for each request (default: ${DEFAULT-VALUE}).")
    int timeoutMillis;

    CourierClient client() {
        return new CourierClient(ClientConfig.parse(server).withRequestTimeoutMillis(timeoutMillis));
    }
}
