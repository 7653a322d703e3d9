package dev.courier.cli;

import static dev.courier.cli.CliRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.cli.common.ExitCodes;
import dev.courier.client.testing.ScriptedServer;
import dev.courier.protocol.FileEntry;
import dev.courier.protocol.ListReply;
import dev.courier.protocol.ListRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code get -r} against a server that lists names meant to climb out of the destination. */
class HostileListingTest {
    @Test
    void entryNamesThatWouldWriteOutsideTheDestinationAreReportedNeverFetched(@TempDir Path top) throws Exception {
        Path dest = Files.createDirectory(top.resolve("dest"));
        List<String> evil = List.of("..", ".", "", "../escape.bin", "a/b", "back\\slash", "nul\0byte");
        try (ScriptedServer server = ScriptedServer.start(peer -> {
            peer.handshake();
            ListRequest list = peer.expect(ListRequest.class);
            peer.send(new ListReply(list.requestId(), evil.stream()
                    .map(n -> new FileEntry(n, false, 10, 0)).toList()));
            peer.awaitClientClose(10_000);
        })) {
            CliRun r = run("get", "-s", "127.0.0.1:" + server.port(), "-r", "tree", "-o", dest + "/");
            assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.FAILED);
            assertThat(r.err()).contains("tree/..: the server sent the entry name '..', which could write outside")
                    .contains("tree/../escape.bin").contains("'nul\\x00byte'");
            assertThat(r.err().lines().filter(l -> l.contains("could write outside"))).hasSize(evil.size());
        }
        try (Stream<Path> written = Files.walk(top)) {
            assertThat(written).containsExactlyInAnyOrder(top, dest);
        }
    }
}
