package dev.courier.cli;

import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.Arrays;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * One rung of bench/startup-ladder.sh: a main that does part of what {@code courier point} does and exits, so that
 * the difference between two rungs, each run with a cache recorded for it, is what that part costs at start-up. In
 * the CLI's package because it calls {@link CourierCli#commandLine} and {@link ClientOptions} as the CLI does.
 * Arguments: the rung, then {@code point}'s arguments.
 */
public final class StartupLadder {
    private StartupLadder() {
    }

    public static void main(String[] args) throws Exception {
        String rung = args[0];
        String[] point = Arrays.copyOfRange(args, 1, args.length);
        switch (rung) {
            case "nothing" -> {
                // the JVM, the cache and the class path: nothing of Courier runs
            }
            case "jar-scan" -> ClassLoader.getSystemResource("no/such/resource");
            case "logback" -> LoggerFactory.getILoggerFactory();
            case "full-model" -> new CommandLine(new CourierCli());
            case "point-model" -> CourierCli.commandLine(point);
            case "parse" -> CourierCli.commandLine(point).parseArgs(point);
            case "connect" -> {
                CommandLine cli = CourierCli.commandLine(point);
                cli.parseArgs(point);
                PointCommand p = cli.getSubcommands().get("point").getCommand();
                try (CourierClient client = p.server.client(); Connection c = client.open()) {
                    // connected and greeted (HELLO), no request
                }
            }
            case "request" -> {
                PrintWriter discard = new PrintWriter(OutputStream.nullOutputStream());
                System.exit(CourierCli.run(discard, discard, point));
            }
            default -> throw new IllegalArgumentException("no rung " + rung);
        }
    }
}
