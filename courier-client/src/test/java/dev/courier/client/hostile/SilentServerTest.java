package dev.courier.client.hostile;

import static dev.courier.client.hostile.Hostile.assertServedWithinASecond;
import static dev.courier.client.hostile.Hostile.clientOf;
import static dev.courier.client.hostile.Hostile.failure;
import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.client.Backoff;
import dev.courier.client.Connection;
import dev.courier.client.CourierClient;
import dev.courier.client.CourierException;
import dev.courier.client.DownloadOptions;
import dev.courier.client.DownloadProgress;
import dev.courier.client.Downloader;
import dev.courier.client.ResilientConnection;
import dev.courier.client.Uploader;
import dev.courier.client.testing.ScriptedServer;
import dev.courier.client.testing.ServedFile;
import dev.courier.protocol.DigestRequest;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.Message;
import dev.courier.protocol.ReadRequest;
import dev.courier.protocol.UploadBegin;
import dev.courier.protocol.UploadReady;
import dev.courier.protocol.UploadWrite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server that completes the handshake and then answers nothing (or nothing of one kind): every request, download
 * and upload fails with TIMED_OUT after its own deadline or stall timeout, never later and never not at all, and the
 * same client is served meanwhile on another connection. The request timeout is 30 s throughout, so that a wait
 * that falls back on it shows.
 */
class SilentServerTest {
    static final int REQUEST_TIMEOUT_MILLIS = 30_000;
    static final long STALL_MILLIS = 1_000;
    static final ServedFile FILE = ServedFile.random(1_000_000, 5);

    @TempDir
    Path dir;

    /** Answers POINTs and what {@code silentAbout} does not match; the rest never gets a reply. */
    private static ScriptedServer silentAbout(Predicate<Message> silentAbout) throws Exception {
        return ScriptedServer.start(peer -> {
            peer.handshake();
            peer.serve(m -> silentAbout.test(m) ? null : Hostile.answers(FILE::answer, SilentServerTest::ready).apply(m));
        });
    }

    private static Message ready(Message m) {
        return m instanceof UploadBegin b ? new UploadReady(b.requestId(), 1, 64 << 10, List.of()) : null;
    }

    private static DownloadOptions options() {
        return DownloadOptions.defaults().withStallTimeoutMillis(STALL_MILLIS).withStream(false);
    }

    /** Runs {@code call}, which must fail with TIMED_OUT after at least {@code atLeast} and well before 30 s. */
    private static CourierException timesOut(Duration atLeast, ThrowingCallable call) {
        long start = System.nanoTime();
        CourierException e = failure(call);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(e.code()).isEqualTo(ErrorCode.TIMED_OUT);
        assertThat(took).isGreaterThanOrEqualTo(atLeast).isLessThan(atLeast.plusSeconds(4));
        return e;
    }

    @Test
    void aRequestFailsAtItsTimeout() throws Exception {
        try (ScriptedServer server = ScriptedServer.start(peer -> {
            if (peer.index() == 0) {
                peer.handshake();
                peer.awaitClientClose(20_000);
            } else {
                Hostile.wellBehaved(peer);
            }
        });
             CourierClient client = clientOf(server, 500);
             Connection c = client.open()) {
            var silent = c.point("1", 0, 1);
            assertServedWithinASecond(client); // during
            timesOut(Duration.ZERO, silent::join);
            assertServedWithinASecond(client); // after
        }
    }

    @Test
    void aResilientRequestFailsAtItsDeadlineNotAtTheRequestTimeout() throws Exception {
        try (ScriptedServer server = silentAbout(m -> m instanceof DigestRequest);
             CourierClient client = clientOf(server, REQUEST_TIMEOUT_MILLIS);
             ResilientConnection rc = new ResilientConnection(client, STALL_MILLIS, Backoff.DEFAULT)) {
            timesOut(Duration.ofMillis(STALL_MILLIS), () -> rc.digest("f.bin").join());
            assertServedWithinASecond(client);
        }
    }

    @Test
    void aDownloadWhoseDigestNeverComesFailsAfterTheStallTimeout() throws Exception {
        try (ScriptedServer server = silentAbout(m -> m instanceof DigestRequest);
             CourierClient client = clientOf(server, REQUEST_TIMEOUT_MILLIS)) {
            timesOut(Duration.ofMillis(STALL_MILLIS),
                    () -> new Downloader(client, options(), DownloadProgress.NONE).download("f.bin", dir));
            assertServedWithinASecond(client);
        }
    }

    @Test
    void aDownloadWhoseChunksNeverComeFailsAfterTheStallTimeout() throws Exception {
        try (ScriptedServer server = silentAbout(m -> m instanceof ReadRequest);
             CourierClient client = clientOf(server, REQUEST_TIMEOUT_MILLIS)) {
            CourierException e = timesOut(Duration.ofMillis(STALL_MILLIS),
                    () -> new Downloader(client, options(), DownloadProgress.NONE).download("f.bin", dir));
            assertThat(e.getMessage()).contains("no chunk arrived");
            assertServedWithinASecond(client);
        }
    }

    @Test
    void anUploadWhoseBeginIsNeverAnsweredFailsAfterTheStallTimeout() throws Exception {
        Path local = Files.write(dir.resolve("up.bin"), FILE.content());
        try (ScriptedServer server = silentAbout(m -> m instanceof UploadBegin);
             CourierClient client = clientOf(server, REQUEST_TIMEOUT_MILLIS)) {
            timesOut(Duration.ofMillis(STALL_MILLIS),
                    () -> new Uploader(client, options(), DownloadProgress.NONE).upload(local, "up.bin"));
            assertServedWithinASecond(client);
        }
    }

    @Test
    void anUploadWhoseWritesAreNeverAcknowledgedFailsAfterTheStallTimeout() throws Exception {
        Path local = Files.write(dir.resolve("up.bin"), FILE.content());
        try (ScriptedServer server = silentAbout(m -> m instanceof UploadWrite);
             CourierClient client = clientOf(server, REQUEST_TIMEOUT_MILLIS)) {
            CourierException e = timesOut(Duration.ofMillis(STALL_MILLIS),
                    () -> new Uploader(client, options(), DownloadProgress.NONE).upload(local, "up.bin"));
            assertThat(e.getMessage()).contains("made no progress");
            assertServedWithinASecond(client);
        }
    }
}
