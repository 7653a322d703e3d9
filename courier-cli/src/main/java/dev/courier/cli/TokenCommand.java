package dev.courier.cli;

import dev.courier.server.auth.NewToken;
import dev.courier.server.auth.Scope;
import java.io.PrintWriter;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code courier token}: tokens for servers started with {@code --auth}. */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Make tokens for `serve --auth FILE`.",
        subcommands = TokenCommand.New.class)
final class TokenCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a subcommand: courier token new NAME --scopes ...");
    }

    /**
     * {@code courier token new NAME --scopes points,files:read}: prints a fresh token (for the client) and its line
     * (for the server's token file), and says which goes where. The token is printed once and kept nowhere.
     */
    @Command(name = "new", mixinStandardHelpOptions = true,
            description = "Print a new random token and the line that lets it in, for the server's token file.")
    static final class New implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME", description = "The token's name: 1 to 64 letters, digits, '.', '_' or "
                + "'-'. Logs and rate limits show it; it is not secret.")
        String name;

        @Option(names = "--scopes", paramLabel = "SCOPES", required = true,
                description = "Comma list of what the token may do: points, files:read, files:write, live:write, "
                        + "admin (everything).")
        String scopes;

        @Override
        public Integer call() {
            Set<Scope> parsed;
            NewToken t;
            try {
                parsed = Scope.parseList(scopes);
                t = NewToken.create(name, parsed);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("token (give it to the client: --token-file FILE, COURIER_TOKEN or --token; shown only now):");
            out.println(t.token().value());
            out.println("line for the server's token file (serve --auth FILE; it holds only the SHA-256):");
            out.println(t.line());
            out.flush();
            return 0;
        }
    }
}
