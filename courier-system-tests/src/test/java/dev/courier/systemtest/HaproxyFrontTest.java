package dev.courier.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.courier.client.Backoff;
import dev.courier.client.ClientConfig;
import dev.courier.client.CourierClient;
import dev.courier.client.Point;
import dev.courier.client.ResilientConnection;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Hello;
import dev.courier.protocol.Message;
import dev.courier.protocol.MessageWriter;
import dev.courier.protocol.Ping;
import dev.courier.protocol.Pong;
import dev.courier.server.testing.CsvTruth;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HAProxy configurations of deploy/haproxy/: the tcp-check's bytes are those of the real encoder and get a PONG
 * from a real server; and HAProxy 2.6 itself (skipped where it is not installed: {@code apt-get install haproxy})
 * in front of two real nodes sees both UP, sees a stopped one DOWN, and requests through it are still all answered
 * right.
 */
class HaproxyFrontTest {
    static final Path DEPLOY = Path.of("..", "deploy", "haproxy");

    @TempDir
    Path dir;

    /** The hex after {@code keyword} on the config's lines that have it, in order. */
    static List<String> hex(String config, String keyword) throws IOException {
        return Files.readAllLines(DEPLOY.resolve(config)).stream().map(String::strip)
                .filter(l -> l.startsWith(keyword + " ")).map(l -> l.substring(keyword.length() + 1).strip())
                .toList();
    }

    static String encoded(Message... messages) {
        ByteBuf out = Unpooled.buffer();
        try {
            for (var m : messages) {
                MessageWriter.write(m, out);
            }
            return ByteBufUtil.hexDump(out);
        } finally {
            out.release();
        }
    }

    /** The check's PING token: "HAPROXY!" in ASCII, as a u64. */
    static final long TOKEN = "HAPROXY!".chars().asLongStream().reduce(0, (a, c) -> a << 8 | c);

    @Test
    void theTcpCheckSendsTheEncodersHelloAndPingAndExpectsItsPong() throws Exception {
        assertThat(String.join("", hex("courier-tcp-check.cfg", "tcp-check send-binary"))).isEqualTo(encoded(
                new Hello(0, FrameDescriptor.VERSION, ClientConfig.DEFAULT_MAX_FRAME_BYTES,
                        ClientConfig.DEFAULT_MAX_FRAME_BYTES - FrameDescriptor.CHUNK_OVERHEAD_BYTES
                                + FrameDescriptor.LENGTH_FIELD_BYTES),
                new Ping(1, TOKEN)));
        assertThat(hex("courier-tcp-check.cfg", "tcp-check expect binary")).containsExactly(encoded(new Pong(1, TOKEN)));
    }

    @Test
    void aRealServerAnswersTheTcpChecksBytesWithThePongItExpects() throws Exception {
        byte[] send = HexFormat.of().parseHex(String.join("", hex("courier-tcp-check.cfg", "tcp-check send-binary")));
        byte[] expect = HexFormat.of().parseHex(hex("courier-tcp-check.cfg", "tcp-check expect binary").getFirst());
        try (CourierProcess node = CourierProcess.server("--port", "0", "--data", CsvTruth.dataDir().toString());
             Socket s = new Socket(InetAddress.getLoopbackAddress(), ProcessFaultsTest.portOf(node))) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(send);
            InputStream in = s.getInputStream();
            byte[] serverHello = in.readNBytes(FrameDescriptor.LENGTH_FIELD_BYTES + 20);
            assertThat(serverHello[FrameDescriptor.LENGTH_FIELD_BYTES]).as("a HELLO first").isEqualTo((byte) 0x01);
            assertThat(in.readNBytes(expect.length)).isEqualTo(expect);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"courier-tcp-check.cfg", "courier-http-check.cfg"})
    void haproxySeesBothNodesUpThenAStoppedOneDownAndStillServesEveryRequestRight(String config) throws Exception {
        assumeThat(Path.of("/usr/sbin/haproxy")).as("haproxy installed").exists();
        boolean http = config.contains("http");
        CsvTruth truth = CsvTruth.load();
        List<CourierProcess> nodes = new ArrayList<>();
        Process haproxy = null;
        try {
            StringBuilder servers = new StringBuilder();
            for (int i = 1; i <= 2; i++) {
                CourierProcess n = CourierProcess.server("--port", "0", "--data", CsvTruth.dataDir().toString(),
                        "--metrics", "127.0.0.1:0", "--drain-delay", "4s");
                nodes.add(n);
                servers.append("    server node").append(i).append(" 127.0.0.1:").append(ProcessFaultsTest.portOf(n))
                        .append(" check").append(http ? " port " + n.operationsPort() : "").append('\n');
            }
            Path cfg = dir.resolve(config);
            Files.writeString(cfg, Files.readAllLines(DEPLOY.resolve(config)).stream()
                    .filter(l -> !l.startsWith("    server node")).collect(Collectors.joining("\n", "", "\n"))
                    + servers);
            int front = freePort();
            ProcessBuilder pb = new ProcessBuilder("/usr/sbin/haproxy", "-db", "-f", cfg.toString())
                    .redirectErrorStream(true);
            pb.environment().put("COURIER_FRONT", "127.0.0.1:" + front);
            pb.environment().put("COURIER_METRICS_PORT", "1"); // every server line names its own
            pb.environment().put("HAPROXY_STATS", dir.resolve("stats.sock").toString());
            haproxy = pb.start();
            BlockingQueue<String> log = lines(haproxy.getInputStream());
            await(log, l -> up(l, "node1") || up(l, "node2"));
            await(log, l -> up(l, "node1") || up(l, "node2")); // the other one

            try (CourierClient client = new CourierClient(ClientConfig.of("127.0.0.1", front)
                    .withRequestTimeoutMillis(5_000));
                 ResilientConnection points = new ResilientConnection(client, 20_000, new Backoff(10, 200))) {
                answersRight(points, truth, 0);
                // Over the tcp-check: SIGKILL, nothing more to say. Over /ready: SIGTERM, which says 503 at once.
                if (http) {
                    nodes.getFirst().terminate();
                } else {
                    nodes.getFirst().kill();
                }
                String down = await(log, l -> l.contains("Server courier_nodes/node1 is DOWN"));
                assertThat(down).isNotNull();
                answersRight(points, truth, 300);
                try (CourierClient fresh = new CourierClient(ClientConfig.of("127.0.0.1", front));
                     ResilientConnection again = new ResilientConnection(fresh, 20_000, new Backoff(10, 200))) {
                    answersRight(again, truth, 600);
                }
            }
        } finally {
            if (haproxy != null) {
                haproxy.destroy();
                haproxy.waitFor(10, TimeUnit.SECONDS);
                haproxy.destroyForcibly();
            }
            for (CourierProcess n : nodes) {
                n.close();
            }
        }
    }

    private static boolean up(String line, String node) {
        return line.contains("server courier_nodes/" + node + " succeeded") && line.contains(" UP")
                || line.contains("Server courier_nodes/" + node + " is UP");
    }

    private static void answersRight(ResilientConnection points, CsvTruth truth, int from) throws Exception {
        for (int i = from; i < from + 300; i++) {
            String record = String.valueOf(1 + i % 15);
            Point p = points.point(record, i * 0.004, 1).get(30, TimeUnit.SECONDS);
            assertThat(p.value()).isEqualTo(truth.value(record, i, 1));
        }
    }


    /** A loopback port free now (HAProxy cannot bind port 0 and say which it got). */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static BlockingQueue<String> lines(InputStream in) {
        BlockingQueue<String> q = new LinkedBlockingQueue<>();
        Thread.ofPlatform().daemon().name("haproxy-log").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    q.add(line);
                }
            } catch (IOException ignored) {
                // haproxy ended
            }
        });
        return q;
    }

    private static String await(BlockingQueue<String> log, Predicate<String> match)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<String> seen = new ArrayList<>();
        while (true) {
            String line = log.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("haproxy never logged it; it logged:\n" + String.join("\n", seen));
            }
            seen.add(line);
            if (match.test(line)) {
                return line;
            }
        }
    }
}
