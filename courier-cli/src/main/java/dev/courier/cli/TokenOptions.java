package dev.courier.cli;

import dev.courier.protocol.Secret;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The token a client command sends to a server started with {@code --auth}: {@code --token TOKEN}, else the first
 * line of {@code --token-file FILE} (trimmed), else the environment variable {@code COURIER_TOKEN}, else none. A
 * picocli mixin, used by {@link ClientOptions}. The environment is read here, in the CLI: the client library never
 * reads it by itself.
 */
final class TokenOptions {
    /** The environment variable read when neither option is given. */
    static final String ENV = "COURIER_TOKEN";

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "Token for a server started with --auth. Precedence: --token, then --token-file, then the "
                    + "COURIER_TOKEN environment variable. Other users can see a command line (ps): prefer "
                    + "--token-file or COURIER_TOKEN.")
    String token;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "Read the token from the first line of FILE (trimmed).")
    Path tokenFile;

    /** The token to send, by the precedence above. */
    Optional<Secret> resolve() {
        return resolve(System.getenv(ENV));
    }

    /**
     * The token to send, with {@code env} as the value of {@code COURIER_TOKEN} (null when unset).
     *
     * @throws IllegalArgumentException for an empty token, or a token file that cannot be read or is empty
     */
    Optional<Secret> resolve(String env) {
        if (token != null) {
            return Optional.of(secret(token, "--token"));
        }
        if (tokenFile != null) {
            List<String> lines;
            try {
                lines = Files.readAllLines(tokenFile, StandardCharsets.UTF_8);
            } catch (IOException | UncheckedIOException e) {
                throw new IllegalArgumentException("cannot read the token file " + tokenFile + ": " + e.getMessage());
            }
            return Optional.of(secret(lines.isEmpty() ? "" : lines.get(0), "the first line of " + tokenFile));
        }
        if (env != null) {
            return Optional.of(secret(env, ENV));
        }
        return Optional.empty();
    }

    private static Secret secret(String text, String from) {
        String t = text.strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException(from + " is empty: give the token that `courier token new` printed");
        }
        try {
            return new Secret(t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(from + ": " + e.getMessage());
        }
    }
}
