package dev.courier.cli;

import dev.courier.cli.common.LogSetup;
import dev.courier.cli.common.ServerOption;
import dev.courier.cli.common.Units;
import dev.courier.client.ClientConfig;
import dev.courier.client.CourierClient;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * What every client command takes: the server ({@link ServerOption}), its token ({@link TokenOptions}), TLS
 * ({@link TlsClientOptions}), a deadline per request, how much to say ({@code -q}, {@code -v}) and the log level
 * ({@code --log-level}, as {@code serve} takes it).
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

    @Option(names = {"-q", "--quiet"},
            description = "Errors only on stderr: no progress, notes or summary lines (--json output stays).")
    boolean quiet;

    @Option(names = {"-v", "--verbose"},
            description = "Also print on stderr where it connects and how (TLS, token, timeout), and for each "
                    + "transfer its connections, chunk size, chunks fetched again and bytes resumed.")
    boolean verbose;

    @Option(names = "--log-level", paramLabel = "LEVEL", description = "Log at LEVEL (off, error, warn, info, debug, "
            + "trace) on stderr: Courier's loggers. LOGGER=LEVEL sets one logger, for example io.netty=debug; "
            + "repeatable, applied in order (default: warn).")
    List<String> logLevels = List.of();

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** A line of {@code -v}'s details on stderr; nothing without it. */
    void verbose(String line) {
        if (verbose && !quiet) {
            PrintWriter err = command.commandLine().getErr();
            err.println("courier: " + line);
            err.flush();
        }
    }

    /** Applies {@code --log-level}; {@link #config} does, before the client library logs anything. */
    void applyLogLevels() {
        try {
            LogSetup.apply(logLevels, LogSetup.Format.TEXT);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command.commandLine(), "--log-level: " + e.getMessage());
        }
    }

    /** The client's configuration, after {@link #applyLogLevels}. */
    ClientConfig config() {
        applyLogLevels();
        ClientConfig c = tls.apply(server.config()).withRequestTimeoutMillis(timeoutMillis);
        return token.resolve().map(c::withToken).orElse(c);
    }

    CourierClient client() {
        ClientConfig c = config();
        verbose("connecting to " + c.host() + ":" + c.port() + " (" + (c.tls().isPresent() ? "TLS" : "no TLS") + ", "
                + (c.token().isPresent() ? "with a token" : "no token") + ", request timeout "
                + c.requestTimeoutMillis() + " ms)");
        return new CourierClient(c);
    }
}
