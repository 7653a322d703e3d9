package dev.courier.client.testing;

import dev.courier.client.ClientConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A fake Courier server for client tests, after OkHttp's {@code MockHttp2Peer}: a real {@link ServerSocket} on
 * loopback port 0 that plays a {@link Script} on every connection it accepts, each on a thread of its own. A
 * script speaks frames through a {@link Peer}: it answers the handshake with the limits it chooses, reads
 * requests, and answers them truthfully, with lies (wrong offsets, lengths, sizes, ids, types), with silence or
 * with a flood, then returns, which closes the connection.
 *
 * <pre>{@code
 * try (ScriptedServer server = ScriptedServer.start(peer -> {
 *     peer.handshake();
 *     ReadRequest read = peer.expect(ReadRequest.class);
 *     peer.send(new ChunkReply(read.requestId(), read.offsetBytes() + 1, ...)); // a lie
 *     peer.awaitClientClose(5_000);
 * })) {
 *     ... a CourierClient with server.clientConfig() ...
 * }
 * }</pre>
 *
 * <p>A script that throws anything but an {@link IOException} (the client going away is an IOException) fails
 * the test: {@link #close()} rethrows the first such failure. Thread-safe.
 */
public final class ScriptedServer implements AutoCloseable {
    /** What the server does on one connection. Returning closes the connection. */
    @FunctionalInterface
    public interface Script {
        void play(Peer peer) throws Exception;
    }

    private final ServerSocket listener;
    private final Script script;
    private final List<Peer> peers = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private ScriptedServer(ServerSocket listener, Script script) {
        this.listener = listener;
        this.script = script;
    }

    /** Listens on a free loopback port and plays {@code script} on every connection. */
    public static ScriptedServer start(Script script) throws IOException {
        ScriptedServer server = new ScriptedServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), script);
        Thread.ofVirtual().name("scripted-server-accept").start(server::acceptLoop);
        return server;
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            int index = accepted.getAndIncrement();
            Thread.ofVirtual().name("scripted-peer-" + index).start(() -> play(socket, index));
        }
    }

    private void play(Socket socket, int index) {
        try (Peer peer = new Peer(socket, index)) {
            peers.add(peer);
            script.play(peer);
        } catch (IOException e) {
            // The client closed or reset the connection: an ordinary end for a script.
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** A client configuration that reaches this server, with the library's defaults otherwise. */
    public ClientConfig clientConfig() {
        return ClientConfig.of("127.0.0.1", port());
    }

    /** Connections accepted so far. */
    public int connectionsAccepted() {
        return accepted.get();
    }

    /** Stops listening, closes every connection, and rethrows the first failure of a script. */
    @Override
    public void close() throws IOException {
        listener.close();
        for (Peer p : peers) {
            p.close();
        }
        Throwable t = failure.get();
        if (t != null) {
            throw new AssertionError("a script of the scripted server failed: " + t, t);
        }
    }
}
