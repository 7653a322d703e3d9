package dev.courier.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The short path of {@link CourierCli#commandLine}, which builds only the named subcommand, gives each command the
 * same model as the full tree that help and the man pages come from, and misses none.
 */
class CommandTreeTest {
    static List<String> names() {
        return Arrays.stream(CourierCli.class.getAnnotation(Command.class).subcommands())
                .filter(c -> c != CommandLine.HelpCommand.class)
                .map(c -> c.getAnnotation(Command.class).name())
                .toList();
    }

    @Test
    void everySubcommandOfTheAnnotationHasItsClassInTheSwitch() {
        for (Class<?> sub : CourierCli.class.getAnnotation(Command.class).subcommands()) {
            String name = sub.getAnnotation(Command.class).name();
            assertThat(CourierCli.subcommand(name)).as(name)
                    .isEqualTo(sub == CommandLine.HelpCommand.class ? null : sub);
        }
    }

    @ParameterizedTest
    @MethodSource("names")
    void theShortPathBuildsTheSameCommandAsTheFullTree(String name) {
        CommandSpec full = new CommandLine(new CourierCli()).getSubcommands().get(name).getCommandSpec();
        CommandLine shortPath = CourierCli.commandLine(name, "--help");
        assertThat(shortPath.getSubcommands().keySet()).containsExactly(name);
        CommandSpec one = shortPath.getSubcommands().get(name).getCommandSpec();
        assertThat(one.qualifiedName()).isEqualTo(full.qualifiedName()).isEqualTo("courier " + name);
        assertThat(options(one)).isEqualTo(options(full));
        assertThat(one.subcommands().keySet()).isEqualTo(full.subcommands().keySet());
        assertThat(one.positionalParameters()).hasSameSizeAs(full.positionalParameters());
    }

    @Test
    void anythingButASubcommandNameGetsTheFullTree() {
        int all = new CommandLine(new CourierCli()).getSubcommands().size();
        for (String[] args : List.of(new String[0], new String[] {"gett"}, new String[] {"help", "get"},
                new String[] {"--help"}, new String[] {"-s", "7420", "point"})) {
            assertThat(CourierCli.commandLine(args).getSubcommands()).as(String.join(" ", args)).hasSize(all);
        }
    }

    @Test
    void versionAloneNeedsNoSubcommandAndPrintsWhatTheFullTreePrints() {
        assertThat(CourierCli.commandLine("--version").getSubcommands()).isEmpty();
        CliRun alone = CliRun.run("--version");
        assertThat(alone.exitCode()).isZero();
        StringWriter full = new StringWriter();
        new CommandLine(new CourierCli()).printVersionHelp(new PrintWriter(full, true));
        assertThat(alone.out()).isNotBlank().isEqualTo(full.toString());
    }

    /** Each option's names and its default, by its longest name. */
    private static Map<String, String> options(CommandSpec spec) {
        Map<String, String> byName = new TreeMap<>();
        for (OptionSpec o : spec.options()) {
            byName.put(o.longestName(), String.join(",", o.names()) + "=" + o.defaultValue());
        }
        return byName;
    }
}
