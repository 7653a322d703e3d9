package dev.courier.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.courier.protocol.AppendRequest;
import dev.courier.protocol.CancelStream;
import dev.courier.protocol.DigestRequest;
import dev.courier.protocol.EnvelopeRequest;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.ListRequest;
import dev.courier.protocol.Ping;
import dev.courier.protocol.PointBatchRequest;
import dev.courier.protocol.PointRequest;
import dev.courier.protocol.Pong;
import dev.courier.protocol.RangeRequest;
import dev.courier.protocol.ReadRequest;
import dev.courier.protocol.RecordsRequest;
import dev.courier.protocol.Reply;
import dev.courier.protocol.Request;
import dev.courier.protocol.Secret;
import dev.courier.protocol.Sha256;
import dev.courier.protocol.StatRequest;
import dev.courier.protocol.StreamRequest;
import dev.courier.protocol.SubscribeRequest;
import dev.courier.protocol.UploadBegin;
import dev.courier.protocol.UploadCommit;
import dev.courier.protocol.UploadWrite;
import dev.courier.protocol.WindowUpdate;
import dev.courier.server.CourierServer;
import dev.courier.server.live.LiveConfig;
import dev.courier.server.testing.CsvTruth;
import dev.courier.server.testing.RawConnection;
import dev.courier.server.testing.TestServers;
import dev.courier.server.testing.TokenFiles;
import dev.courier.server.testing.WellBehavedClient;
import io.netty.buffer.Unpooled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A token with each single scope gets FORBIDDEN for exactly the request types of the other scopes, and admin for
 * none; every request type is sent on one connection, which stays usable throughout. Which type needs which scope
 * is written out here from the contract (docs/protocol.md, "Authentication"), not taken from {@link RequiredScope}.
 */
class ScopesTest {
    @TempDir
    static Path dir;
    private static CourierServer server;
    private static final EnumSet<Scope> EVERY = EnumSet.allOf(Scope.class);
    private static final Map<Scope, Secret> TOKENS = new EnumMap<>(Scope.class);

    /** One request of each type and the scope the contract says it needs (null: none, so never FORBIDDEN). */
    private record Case(String type, Scope needs, IntFunction<Request> make) {
    }

    private static final List<Case> CASES = List.of(
            new Case("POINT", Scope.POINTS, id -> new PointRequest(id, "3", 0.008, 1)),
            new Case("POINT_BATCH", Scope.POINTS, id -> new PointBatchRequest(id, "3", 1, new double[] {0.0})),
            new Case("LIST", Scope.FILES_READ, id -> new ListRequest(id, "")),
            new Case("STAT", Scope.FILES_READ, id -> new StatRequest(id, "a.txt")),
            new Case("READ", Scope.FILES_READ, id -> new ReadRequest(id, "a.txt", 0, 3)),
            new Case("DIGEST", Scope.FILES_READ, id -> new DigestRequest(id, "a.txt", false)),
            new Case("READ_STREAM", Scope.FILES_READ, id -> new StreamRequest(id, "a.txt", 0, 3, 1 << 16, 4096, 3, 0)),
            new Case("WINDOW", null, id -> new WindowUpdate(id, 100)),
            new Case("CANCEL", null, CancelStream::new),
            new Case("RECORDS", Scope.POINTS, id -> new RecordsRequest(id, 0)),
            new Case("RANGE_STREAM", Scope.POINTS,
                    id -> new RangeRequest(id, "3", 0, 4, 1, 1 << 16, 4096, new int[] {1})),
            new Case("ENVELOPE", Scope.POINTS, id -> new EnvelopeRequest(id, "3", 0, 4, 2, new int[] {1})),
            new Case("UPLOAD_BEGIN", Scope.FILES_WRITE,
                    id -> new UploadBegin(id, "up.bin", 3, Sha256.ofHex("00".repeat(32)))),
            new Case("UPLOAD_WRITE", Scope.FILES_WRITE,
                    id -> new UploadWrite(id, 12345, 0, 0, Unpooled.wrappedBuffer(new byte[] {1, 2, 3}))),
            new Case("UPLOAD_COMMIT", Scope.FILES_WRITE, id -> new UploadCommit(id, 12345)),
            new Case("APPEND", Scope.LIVE_WRITE, id -> new AppendRequest(id, "live-s", 250, 1, new double[] {id},
                    new double[] {1})),
            new Case("SUBSCRIBE", Scope.POINTS, id -> new SubscribeRequest(id, "live-s", 0, 1 << 16, 4096,
                    new int[] {1})));

    @BeforeAll
    static void start() throws Exception {
        Path files = Files.createDirectories(dir.resolve("files"));
        Files.writeString(files.resolve("a.txt"), "abc");
        TokenFiles tokenFile = new TokenFiles(dir.resolve("tokens"));
        for (Scope s : EVERY) {
            TOKENS.put(s, tokenFile.add("only-" + s.name().toLowerCase(), s));
        }
        server = CourierServer.start(TestServers.withUploads(files, Files.createDirectories(dir.resolve("up")))
                .withAuth(tokenFile.write()).withLive(LiveConfig.of(dir.resolve("live"))));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest
    @EnumSource(Scope.class)
    void aTokenWithOneScopeIsForbiddenExactlyTheOtherScopesRequests(Scope scope) throws Exception {
        Set<String> forbidden = new HashSet<>();
        try (RawConnection c = RawConnection.handshaken(server.localAddress(), TOKENS.get(scope))) {
            int id = 100;
            for (Case k : CASES) {
                id++;
                c.send(k.make().apply(id));
                // A refusal is answered at once, before the PING that follows; other replies may come later.
                c.send(new Ping(id + 1_000_000, id));
                Reply r;
                while (!((r = c.receive()) instanceof Pong p && p.token() == id)) {
                    if (r instanceof ErrorReply e && e.code() == ErrorCode.FORBIDDEN) {
                        assertThat(e.requestId()).isEqualTo(id);
                        assertThat(e.message()).contains(k.needs().wireName());
                        forbidden.add(k.type());
                    }
                    r.release();
                }
            }
            // Still open after every refusal (each loop above ended on its PONG, so nothing is pending but late
            // replies to the allowed requests).
            c.send(new Ping(999, 999));
            Reply r;
            while (!((r = c.receive()) instanceof Pong p && p.token() == 999)) {
                r.release();
            }
        }
        Set<String> expected = new HashSet<>();
        for (Case k : CASES) {
            if (k.needs() != null && scope != Scope.ADMIN && k.needs() != scope) {
                expected.add(k.type());
            }
        }
        assertThat(forbidden).isEqualTo(expected);
        WellBehavedClient.assertServedWithinASecond(server.localAddress(), TOKENS.get(Scope.POINTS));
    }
}
