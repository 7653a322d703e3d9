package dev.courier.cli;

import dev.courier.cli.bench.BenchCommand;
import dev.courier.cli.bench.GenDataCommand;
import dev.courier.cli.common.ExitCodes;
import dev.courier.client.CourierException;
import dev.courier.protocol.WireText;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code courier} command. Exit codes ({@link ExitCodes}): 0 success, 1 the operation failed (a typed error from
 * the server, a failed verification, a local file problem), 2 bad arguments, 3 the server could not be reached or
 * went away, 4 the server refused the token (none given, unknown, or lacking the scope).
 */
@Command(name = "courier", mixinStandardHelpOptions = true, versionProvider = VersionInfo.class,
        description = "Data points and file transfers over TCP.",
        subcommands = {ServeCommand.class, PointCommand.class, PointsCommand.class, RecordsCommand.class,
                RangeCommand.class, PlotCommand.class, LsCommand.class, GetCommand.class, PutCommand.class,
                TokenCommand.class, AppendCommand.class, TailCommand.class, ReplayCommand.class, DemoCommand.class,
                SoakCommand.class, BenchCommand.class, GenDataCommand.class, CommandLine.HelpCommand.class})
public final class CourierCli implements Runnable {
    /** How much of a failure's message is printed, in chars: room for two names and two digests. */
    static final int MAX_MESSAGE_CHARS = 1024;

    static {
        // picocli's default factory asks the class path for groovy.lang.Closure when it is first used, unless this
        // property is set. No jar of ours has it, so the look-up opened and read the directory of every jar in lib/
        // (41 jars, 7,897 entries): 0.05 to 0.3 s of every command's start (docs/benchmarks.md, "Start-up, fifth
        // pass"). Set here, before any CommandLine is made, rather than in each launcher, so that every way of
        // running the CLI (bin/courier, ./courier, the AOT training, tests) skips it.
        System.setProperty("picocli.disable.closures", "true");
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command, for example: courier demo");
    }

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the command line with the given output streams and returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = commandLine(args);
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            err.println("courier: " + describe(e));
            err.flush();
            return ExitCodes.of(e);
        });
        cli.setParameterExceptionHandler((e, args1) -> {
            // What is wrong, picocli's "did you mean" for a mistyped command or option, then the usage of the
            // command that was meant (the subcommand's, not the top one's).
            err.println("courier: " + e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
            e.getCommandLine().usage(err);
            err.flush();
            return ExitCodes.USAGE;
        });
        int code = cli.execute(args);
        out.flush();
        return code;
    }

    /**
     * The command line for these arguments. When they start with the name of a subcommand, only that subcommand's
     * model is built, under a top command without the others: picocli builds a model by reflection over every
     * option of every command it is given, which was most of a short command's start-up (about 0.4 s of
     * {@code courier --version}), and a command needs only its own. Anything else (no arguments, an option first,
     * a mistyped name, {@code help}; {@code --version} alone needs none) gets the full tree, for help, suggestions and the generated man pages.
     */
    static CommandLine commandLine(String... args) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            CommandLine version = new CommandLine(new One());
            version.getCommandSpec().mixinStandardHelpOptions(true);
            return version;
        }
        Class<?> sub = args.length > 0 ? subcommand(args[0]) : null;
        return sub != null ? new CommandLine(new One()).addSubcommand(args[0], new CommandLine(sub))
                : new CommandLine(new CourierCli());
    }

    /**
     * The class of the subcommand of this name, or null for {@code help} and for anything that is not a name. A
     * switch rather than a look at each class's annotation: parsing a dozen annotations cost a tenth of a short
     * command's start. {@code CourierCliTest} checks that it names every class of the annotation's list.
     */
    static Class<?> subcommand(String name) {
        return switch (name) {
            case "serve" -> ServeCommand.class;
            case "point" -> PointCommand.class;
            case "points" -> PointsCommand.class;
            case "records" -> RecordsCommand.class;
            case "range" -> RangeCommand.class;
            case "plot" -> PlotCommand.class;
            case "ls" -> LsCommand.class;
            case "get" -> GetCommand.class;
            case "put" -> PutCommand.class;
            case "token" -> TokenCommand.class;
            case "demo" -> DemoCommand.class;
            case "soak" -> SoakCommand.class;
            case "bench" -> BenchCommand.class;
            case "gen-data" -> GenDataCommand.class;
            case "append" -> AppendCommand.class;
            case "tail" -> TailCommand.class;
            case "replay" -> ReplayCommand.class;
            default -> null;
        };
    }

    /**
     * The top command with one subcommand: what {@link #commandLine} builds for a named subcommand. It has no options
     * of its own (none can come before the subcommand's name on this path), so none are built; {@code --version}
     * alone gets the standard ones added.
     */
    @Command(name = "courier", versionProvider = VersionInfo.class)
    static final class One implements Runnable {
        @Override
        public void run() {
            throw new IllegalStateException("a subcommand is always named on this path");
        }
    }

    /**
     * The one line printed for a failure. Its message may carry text from the server (an ERROR's message, names), so
     * control characters are escaped and it is cut at {@link #MAX_MESSAGE_CHARS}: it stays one line, and cannot
     * drive the terminal.
     */
    static String describe(Throwable e) {
        RuntimeException r = e instanceof RuntimeException re ? CourierException.unwrap(re) : null;
        if (r instanceof CourierException c) {
            return c.code() + ": " + WireText.printable(c.getMessage(), MAX_MESSAGE_CHARS);
        }
        Throwable t = r != null ? r : e;
        String m = t.getMessage();
        return WireText.printable(m != null ? m : t.toString(), MAX_MESSAGE_CHARS);
    }
}
