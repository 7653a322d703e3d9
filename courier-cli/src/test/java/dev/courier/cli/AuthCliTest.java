package dev.courier.cli;

import static dev.courier.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.cli.common.ExitCodes;
import dev.courier.protocol.Secret;
import dev.courier.server.CourierServer;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code courier token new}, the client's token options and their precedence, and the exit code for auth errors,
 * against a real server whose token file holds the line {@code token new} printed.
 */
class AuthCliTest {
    @TempDir
    Path dir;

    /** The token and the file line that {@code courier token new NAME --scopes SCOPES} printed. */
    private record Printed(String token, String line) {
    }

    private static Printed tokenNew(String name, String scopes) {
        CliRun r = run("token", "new", name, "--scopes", scopes);
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).contains("give it to the client");
        assertThat(lines.get(2)).contains("token file");
        return new Printed(lines.get(1), lines.get(3));
    }

    @Test
    void tokenNewPrintsATokenAndItsLineAndRefusesBadNamesAndScopes() {
        Printed p = tokenNew("alice", "points,files:read");
        assertThat(p.token()).matches("ct_[A-Za-z0-9_-]{43}");
        assertThat(p.line()).matches("alice points,files:read [0-9a-f]{64}").doesNotContain(p.token());

        CliRun badScope = run("token", "new", "bob", "--scopes", "points,everything");
        assertThat(badScope.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(badScope.err()).contains("unknown scope 'everything'");
        assertThat(run("token", "new", "b o b", "--scopes", "points").exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run("token", "new", "bob").exitCode()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void aClientWithTheTokenIsServedAndOneWithoutOrWithAnotherExitsWithTheAuthCode() throws Exception {
        Printed points = tokenNew("points-user", "points");
        Printed reader = tokenNew("reader", "files:read");
        Path file = Files.write(dir.resolve("tokens"), List.of(points.line(), reader.line()));
        Path tokenFile = Files.writeString(dir.resolve("my-token"), "  " + points.token() + "  \nignored\n");
        CsvTruth truth = CsvTruth.load();
        try (CourierServer server = CourierServer.start(TestServers.config(CsvTruth.dataDir()).withAuth(file))) {
            String address = "127.0.0.1:" + server.localAddress().getPort();
            String expected = truth.value("3", 2, 1) + " 2 0.008";

            CliRun withToken = run("point", "-s", address, "--token", points.token(), "3", "0.008", "1");
            assertThat(withToken.out().strip()).isEqualTo(expected);
            CliRun fromFile = run("point", "-s", address, "--token-file", tokenFile.toString(), "3", "0.008", "1");
            assertThat(fromFile.out().strip()).isEqualTo(expected);

            CliRun none = run("point", "-s", address, "3", "0.008", "1");
            assertThat(none.exitCode()).isEqualTo(ExitCodes.AUTH);
            assertThat(none.err()).startsWith("courier: AUTH_REQUIRED: ").contains("--token-file").hasLineCount(1);

            CliRun forbidden = run("point", "-s", address, "--token", reader.token(), "3", "0.008", "1");
            assertThat(forbidden.exitCode()).isEqualTo(ExitCodes.AUTH);
            assertThat(forbidden.err()).startsWith("courier: FORBIDDEN: ").contains("'points'");

            CliRun unknown = run("point", "-s", address, "--token", "ct_unknown", "3", "0.008", "1");
            assertThat(unknown.exitCode()).isEqualTo(ExitCodes.AUTH);
            assertThat(unknown.err()).startsWith("courier: AUTH_FAILED: ").doesNotContain("ct_unknown");
        }
    }

    @Test
    void theTokenOptionWinsOverTheFileWhichWinsOverTheEnvironment() throws Exception {
        Path f = Files.writeString(dir.resolve("t"), "from-file\n");
        TokenOptions both = new TokenOptions();
        both.token = "from-option";
        both.tokenFile = f;
        assertThat(both.resolve("from-env")).contains(new Secret("from-option"));
        TokenOptions fileOnly = new TokenOptions();
        fileOnly.tokenFile = f;
        assertThat(fileOnly.resolve("from-env")).contains(new Secret("from-file"));
        TokenOptions none = new TokenOptions();
        assertThat(none.resolve("from-env")).contains(new Secret("from-env"));
        assertThat(none.resolve(null)).isEmpty();
        assertThat(run("point", "--help").out().replaceAll("\\s+", " "))
                .contains("Precedence: --token, then --token-file, then the COURIER_TOKEN")
                .contains("COURIER_TOKEN");
    }

    @Test
    void anEmptyOrMissingTokenFileIsABadArgument() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        CliRun r = run("point", "--token-file", empty.toString(), "3", "0.008", "1");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("is empty");
        assertThat(run("point", "--token-file", dir.resolve("nope").toString(), "3", "0.008", "1").exitCode())
                .isEqualTo(ExitCodes.USAGE);
    }
}
