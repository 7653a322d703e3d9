package dev.courier.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * {@code serve --config FILE}: one {@code KEY = VALUE} per line, {@code KEY} a long option of {@code serve} without
 * its dashes ({@code port = 7420}, {@code upload-dir = /var/lib/courier/uploads}), {@code #} starting a comment,
 * blank lines ignored; an option that takes no value ({@code reuse-port}) is {@code true} or {@code false}, one that
 * may be repeated ({@code log-level}) may have several lines. The pairs become command-line arguments placed before
 * the real ones, so an option given on the command line wins. Each pair is parsed alone against a fresh command
 * first, so an unknown key or a value that does not convert names the file and the line.
 */
final class ConfigFile {
    /** Keys that make no sense in a file. */
    private static final Set<String> REFUSED = Set.of("config", "help", "version");

    private ConfigFile() {
    }

    /**
     * The arguments {@code file} stands for, in its order.
     *
     * @param fresh makes a new, unparsed {@code serve} command line to check one pair against
     * @throws ParameterException naming the file and line of a bad key or value, or the file when unreadable
     */
    static List<String> arguments(Path file, CommandLine owner, Supplier<CommandLine> fresh) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new ParameterException(owner, "--config: cannot read " + file + ": " + e.getMessage());
        }
        CommandSpec spec = owner.getCommandSpec();
        List<String> args = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            String text = (hash < 0 ? line : line.substring(0, hash)).strip();
            if (text.isEmpty()) {
                continue;
            }
            String where = file + ":" + (i + 1) + ": ";
            int eq = text.indexOf('=');
            if (eq <= 0) {
                throw new ParameterException(owner, where + "expected KEY = VALUE, not '" + text + "'");
            }
            String key = text.substring(0, eq).strip();
            String value = text.substring(eq + 1).strip();
            OptionSpec option = REFUSED.contains(key) ? null : spec.findOption("--" + key);
            if (option == null || !option.longestName().equals("--" + key)) {
                throw new ParameterException(owner, where + "unknown key '" + key + "' (the keys are serve's long "
                        + "options without their dashes; see courier serve --help)");
            }
            String arg;
            if (option.arity().max() == 0) {
                if (!value.equals("true") && !value.equals("false")) {
                    throw new ParameterException(owner, where + key + " is true or false, not '" + value + "'");
                }
                if (value.equals("false")) {
                    continue;
                }
                arg = "--" + key;
            } else {
                arg = "--" + key + "=" + value;
            }
            try {
                fresh.get().parseArgs(arg);
            } catch (ParameterException e) {
                throw new ParameterException(owner, where + e.getMessage());
            }
            args.add(arg);
        }
        return args;
    }
}
