package dev.courier.cli;

import static dev.courier.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.cli.common.ExitCodes;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** A mistyped command or option gets a suggestion and the meant command's usage; errors name what is wrong. */
class UsageErrorsTest {
    @Test
    void aMistypedCommandGetsDidYouMeanAndTheTopUsage() {
        CliRun r = run("gett");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("'gett'").contains("Did you mean: courier get").contains("Usage: courier ")
                .contains("Commands:");
    }

    @Test
    void aMistypedOptionGetsTheRightOptionAndTheSubcommandsUsage() {
        CliRun r = run("get", "--outptu", "x", "a.bin");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("Unknown option: '--outptu'").contains("--output")
                .contains("Usage: courier get ");
        CliRun ls = run("ls", "--jsno");
        assertThat(ls.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(ls.err()).contains("--json").contains("Usage: courier ls ");
    }

    @Test
    void aBusyPortIsNamedNotDumpedAsAStackTrace() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            CliRun r = run("serve", "--port", Integer.toString(port));
            assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILED);
            assertThat(r.err()).isEqualTo("courier: port " + port + " on 127.0.0.1 is in use (another server?); "
                    + "choose another with --port, or 0 for a free one\n");
        }
    }
}
