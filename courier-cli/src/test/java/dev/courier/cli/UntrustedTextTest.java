package dev.courier.cli;

import static dev.courier.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.cli.common.ExitCodes;
import dev.courier.client.testing.ScriptedServer;
import dev.courier.client.testing.ServedFile;
import dev.courier.protocol.DigestRequest;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.FileEntry;
import dev.courier.protocol.ListReply;
import dev.courier.protocol.ListRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whatever text the server sends (names, error messages) reaches the terminal with its control characters escaped,
 * one line per entry or failure: a name cannot clear the screen, recolour it, or forge a line of output.
 */
class UntrustedTextTest {
    static final String ESC = "\u001b";

    private static String address(ScriptedServer server) {
        return "127.0.0.1:" + server.port();
    }

    /** No control character but the line ends. */
    private static void assertNoControlCharacters(String printed) {
        assertThat(printed.chars().filter(c -> (c < 0x20 && c != '\n') || c == 0x7f || (c >= 0x80 && c < 0xa0)))
                .as("control characters in %s", printed).isEmpty();
    }

    @Test
    void lsPrintsEveryNameOnALineOfItsOwnWithControlCharactersEscaped() throws Exception {
        List<FileEntry> entries = List.of(
                new FileEntry("clear" + ESC + "[2J" + ESC + "[Hscreen", false, 1, 0),
                new FileEntry("two\nlines", false, 2, 0),
                new FileEntry("tab\tand\rreturn", true, 0, 0),
                new FileEntry("bell\u0007and\u009bcsi", false, 3, 0),
                new FileEntry("plain-é.txt", false, 4, 0));
        try (ScriptedServer server = ScriptedServer.start(peer -> {
            peer.handshake();
            ListRequest list = peer.expect(ListRequest.class);
            peer.send(new ListReply(list.requestId(), entries));
            peer.awaitClientClose(10_000);
        })) {
            CliRun r = run("ls", "--server", address(server));
            assertThat(r.exitCode()).isZero();
            assertNoControlCharacters(r.out());
            assertThat(r.out().split("\n", -1)).hasSize(entries.size() + 1); // one line each, and the last newline
            assertThat(r.out())
                    .contains("  clear\\x1b[2J\\x1b[Hscreen\n")
                    .contains("  two\\nlines\n")
                    .contains("  tab\\tand\\rreturn/\n")
                    .contains("  bell\\x07and\\u009bcsi\n")
                    .contains("  plain-é.txt\n");
        }
    }

    @Test
    void aServerErrorIsPrintedEscapedOnOneLine() throws Exception {
        try (ScriptedServer server = ScriptedServer.start(peer -> {
            peer.handshake();
            DigestRequest d = peer.expect(DigestRequest.class);
            peer.send(new ErrorReply(d.requestId(), ErrorCode.NOT_FOUND,
                    "no file " + ESC + "[31mred" + ESC + "[0m\ncourier: forged second line"));
            peer.awaitClientClose(10_000);
        })) {
            CliRun r = run("get", "--server", address(server), "x.bin", "--discard");
            assertThat(r.exitCode()).isEqualTo(ExitCodes.FAILED);
            assertNoControlCharacters(r.err());
            assertThat(r.err()).hasLineCount(1)
                    .isEqualTo("courier: NOT_FOUND: no file \\x1b[31mred\\x1b[0m\\ncourier: forged second line\n");
        }
    }

    @Test
    void anEndlessErrorMessageIsCutShort() throws Exception {
        String endless = "x".repeat(60_000);
        try (ScriptedServer server = ScriptedServer.start(peer -> {
            peer.handshake();
            DigestRequest d = peer.expect(DigestRequest.class);
            peer.send(new ErrorReply(d.requestId(), ErrorCode.IO_ERROR, endless));
            peer.awaitClientClose(10_000);
        })) {
            CliRun r = run("get", "--server", address(server), "x.bin", "--discard");
            assertThat(r.err()).hasLineCount(1).hasSizeLessThan(CourierCli.MAX_MESSAGE_CHARS + 100)
                    .contains("more chars)");
        }
    }

    @Test
    void notesAreEscaped(@TempDir Path dest) throws Exception {
        // A name with an ESC in it, and a server whose first digest is stale, which the download notes.
        ServedFile file = ServedFile.random(100_000, 3);
        ServedFile stale = ServedFile.random(100_000, 4);
        String name = "odd" + ESC + "[2Jname.bin";
        try (ScriptedServer server = ScriptedServer.start(peer -> {
            peer.handshake();
            peer.serve(m -> m instanceof DigestRequest d && !d.recompute() ? stale.digest(d.requestId())
                    : file.answer(m));
        })) {
            Path out = dest.resolve("out.bin");
            // A scripted server that answers READs only (--no-stream: it would leave a READ_STREAM unanswered).
            CliRun r = run("get", "--server", address(server), name, "-o", out.toString(), "--no-stream");
            assertThat(r.exitCode()).isZero();
            assertThat(Files.readAllBytes(out)).isEqualTo(file.content());
            assertNoControlCharacters(r.err());
            assertThat(r.err()).contains("courier: odd\\x1b[2Jname.bin: the server's digest was stale");
        }
    }
}
