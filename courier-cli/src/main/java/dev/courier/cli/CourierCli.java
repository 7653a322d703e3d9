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
                RangeCommand.class, LsCommand.class, GetCommand.class, PutCommand.class, TokenCommand.class,
                DemoCommand.class, SoakCommand.class, BenchCommand.class,
                GenDataCommand.class, AppendCommand.class, TailCommand.class, ReplayCommand.class, CommandLine.HelpCommand.class})
public final class CourierCli implements Runnable {
    /** How much of a failure's message is printed, in chars: room for two names and two digests. */
    static final int MAX_MESSAGE_CHARS = 1024;

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
        CommandLine cli = new CommandLine(new CourierCli());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            err.println("courier: " + describe(e));
            err.flush();
            return ExitCodes.of(e);
        });
        cli.setParameterExceptionHandler((e, args1) -> {
            err.println("courier: " + e.getMessage());
            err.println("try 'courier " + (e.getCommandLine().getCommandName().equals("courier") ? ""
                    : e.getCommandLine().getCommandName() + " ") + "--help'");
            err.flush();
            return ExitCodes.USAGE;
        });
        int code = cli.execute(args);
        out.flush();
        return code;
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
