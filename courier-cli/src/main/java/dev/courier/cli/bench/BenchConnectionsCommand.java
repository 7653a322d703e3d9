package dev.courier.cli.bench;

import dev.courier.cli.common.ExitCodes;
import dev.courier.cli.common.ServerOption;
import dev.courier.cli.common.Units;
import dev.courier.client.ClientConfig;
import dev.courier.load.ConnectionHolder;
import dev.courier.load.PointData;
import dev.courier.load.SourceAddresses;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code courier bench connections}: opens and holds many connections to one server address, each verified with a
 * POINT round trip, and reports how many were established, held and verified and how long setting them up took.
 * The holding is {@link ConnectionHolder}'s; this command maps the options onto its spec and prints the result.
 */
@Command(name = "connections", mixinStandardHelpOptions = true,
        description = {"Open N connections to a server and hold them: each says HELLO and asks one POINT, checked "
                + "against the data, then stays open and answers keepalive pings; a sample is asked again every "
                + "few seconds, and every connection once more at the end.",
                "One process holds up to about 19,000 connections here (20,000 open files per process); spread "
                        + "larger loads over processes and, past about 60,000 per server port, over source "
                        + "addresses."})
public final class BenchConnectionsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ServerOption server;

    @Option(names = {"-n", "--target"}, paramLabel = "N", required = true,
            description = "Connections to open and hold.")
    int target;

    @Option(names = "--source-addresses", paramLabel = "FIRST-LAST|LIST|COUNT",
            description = "Local addresses to connect from, round robin: a range such as 127.0.1.1-127.0.1.50, a "
                    + "comma-separated list, or a count N for N addresses from 127.0.1.1 on (default: the "
                    + "kernel's choice).")
    String sourceAddresses;

    @Option(names = "--hold", paramLabel = "SECONDS", defaultValue = "10",
            converter = Units.Seconds.class,
            description = "How long to hold the connections once all are set up (default: ${DEFAULT-VALUE}). "
                    + Units.DURATION_HELP)
    double holdSeconds;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "1000",
            description = "Connections being set up at once (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "20",
            description = "Attempts after the first for a connection refused or failing to connect "
                    + "(default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = "--sample", paramLabel = "N", defaultValue = "100",
            description = "Connections asked again in each round while holding (default: ${DEFAULT-VALUE}).")
    int sample;

    @Option(names = "--recheck-every", paramLabel = "SECONDS", defaultValue = "5",
            converter = Units.Seconds.class,
            description = "Time between two sample rounds (default: ${DEFAULT-VALUE}). " + Units.DURATION_HELP)
    double recheckSeconds;

    @Option(names = "--timeout-ms", paramLabel = "MILLIS", defaultValue = "10000",
            converter = Units.IntMillis.class,
            description = "How long a connection may take to answer its first POINT, and a re-check to be "
                    + "answered (default: ${DEFAULT-VALUE}). " + Units.DURATION_HELP)
    int timeoutMillis;

    @Mixin
    CheckedData checked;

    @Option(names = "--io-threads", paramLabel = "N", defaultValue = "1",
            description = "Event loop threads (default: ${DEFAULT-VALUE}).")
    int ioThreads;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "0",
            description = "Before the real run (and before waiting for --go-file), open N connections the same way, "
                    + "verify each and close them all, so that the code on both sides is compiled before the clock "
                    + "starts (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--go-file", paramLabel = "PATH",
            description = "Wait until this file exists before connecting (to start many processes at once).")
    Path goFile;

    @Option(names = "--stop-file", paramLabel = "PATH",
            description = "End the hold as soon as this file exists. When it holds a number, that is the final "
                    + "check's budget in milliseconds: connections it has not asked by then are reported as "
                    + "unchecked (the checked ones are an even sample), not as errors.")
    Path stopFile;

    @Option(names = "--json", description = "Print one JSON object instead of the text report.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (!(holdSeconds >= 0) || !(recheckSeconds > 0)) {
            throw new ParameterException(spec.commandLine(), "--hold must be 0 or more and --recheck-every positive");
        }
        if (ioThreads < 0) {
            throw new ParameterException(spec.commandLine(), "--io-threads must be 0 (Netty's default) or more");
        }
        if (warmup < 0) {
            throw new ParameterException(spec.commandLine(), "--warmup must be 0 or more");
        }
        ClientConfig address = server.config();
        List<InetAddress> sources = sourceAddresses == null ? List.of() : SourceAddresses.parse(sourceAddresses);
        ConnectionHolder.Spec run = new ConnectionHolder.Spec(
                new InetSocketAddress(address.host(), address.port()), target, sources, concurrency, timeoutMillis,
                retries, (long) (holdSeconds * 1000), sample, (long) (recheckSeconds * 1000), checked.channel, goFile,
                stopFile);
        PointData truth = PointData.load(checked.dir(), checked.records);
        PrintWriter err = spec.commandLine().getErr();
        if (warmup > 0) {
            ConnectionHolder.Result w = new ConnectionHolder(run.warmUp(warmup), truth, line -> { }).run(ioThreads);
            if (w.errors() > 0) {
                err.println("courier: the warm-up failed: " + w.errors() + " of " + warmup
                        + " connections were not verified; first: " + w.firstError());
                err.flush();
                return ExitCodes.FAILED;
            }
            err.printf(Locale.ROOT, "courier: warmed up: %d connections opened, verified twice and closed in %.3f s%n",
                    warmup, w.establishSeconds() + w.holdSeconds());
            err.flush();
            // The warm-up's garbage would otherwise sit in the old generation (and in this process's resident memory)
            // for the whole run: with a hundred load processes on one machine that is a gigabyte.
            System.gc();
        }
        ConnectionHolder.Result r = new ConnectionHolder(run, truth, line -> {
            err.println("courier: " + line);
            err.flush();
        }).run(ioThreads);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(json(address.address(), r));
        } else {
            out.printf(Locale.ROOT, "connections: %d of %d established in %.3f s, %d held %.1f s, %d verified at "
                            + "the end%n", r.established(), r.target(), r.establishSeconds(), r.held(),
                    r.holdSeconds(), r.verified());
            out.printf(Locale.ROOT, "errors: %d (wrong answers %d, lost %d)  refused: %d  retries: %d  sample "
                    + "re-checks: %d%n", r.errors(), r.wrong(), r.lost(), r.refused(), r.retries(), r.rechecks());
            if (r.unchecked() > 0) {
                out.printf(Locale.ROOT, "final check: out of time after %.1f s; %d held connections not asked%n",
                        r.checkSeconds(), r.unchecked());
            }
        }
        out.flush();
        if (r.errors() > 0) {
            err.println("courier: " + r.errors() + " connections or re-checks failed; first: " + r.firstError());
            err.flush();
            return ExitCodes.FAILED;
        }
        return 0;
    }

    static String json(String server, ConnectionHolder.Result r) {
        return new JsonLine()
                .put("server", server)
                .put("target", r.target())
                .put("established", r.established())
                .put("held", r.held())
                .put("verified", r.verified())
                .put("errors", r.errors())
                .put("wrong", r.wrong())
                .put("lost", r.lost())
                .put("refused", r.refused())
                .put("retries", r.retries())
                .put("rechecks", r.rechecks())
                .put("establish_s", r.establishSeconds(), 3)
                .put("hold_s", r.holdSeconds(), 1)
                .put("unchecked", r.unchecked())
                .put("check_s", r.checkSeconds(), 1)
                .put("first_error", r.firstError())
                .toString();
    }
}
