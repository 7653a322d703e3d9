package dev.courier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One run of the command line in this process, as {@code courier ARGS} would run: its exit code and what it printed.
 *
 * @param exitCode what {@code courier} would exit with
 * @param out      standard output
 * @param err      standard error
 */
public record CliRun(int exitCode, String out, String err) {
    /** Runs {@code courier args}. */
    public static CliRun run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = CourierCli.run(new PrintWriter(out), new PrintWriter(err), args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** A numeric field of the one-line JSON object printed. */
    public double number(String name) {
        Matcher m = Pattern.compile("\"" + name + "\": (-?[0-9.]+)[,}]").matcher(out);
        assertThat(m.find()).as("field %s in %s", name, out).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
