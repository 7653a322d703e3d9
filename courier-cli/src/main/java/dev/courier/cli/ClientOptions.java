package dev.courier.cli;

import dev.courier.cli.common.ServerOption;
import dev.courier.cli.common.Units;
import dev.courier.client.ClientConfig;
import dev.courier.client.CourierClient;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What every client command takes: the server ({@link ServerOption}), its token ({@link TokenOptions}), TLS
 * ({@link TlsClientOptions}) and a deadline per request.
 */
final class ClientOptions {
    @Mixin
    ServerOption server;

    @Mixin
    TokenOptions token;

    @Mixin
    TlsClientOptions tls;

    @Option(names = "--timeout-ms", paramLabel = "MILLIS", defaultValue = "30000",
            converter = Units.IntMillis.class,
            description = "Deadline for each request (default: ${DEFAULT-VALUE}). " + Units.DURATION_HELP)
    int timeoutMillis;

    ClientConfig config() {
        ClientConfig c = tls.apply(server.config()).withRequestTimeoutMillis(timeoutMillis);
        return token.resolve().map(c::withToken).orElse(c);
    }

    CourierClient client() {
        return new CourierClient(config());
    }
}
