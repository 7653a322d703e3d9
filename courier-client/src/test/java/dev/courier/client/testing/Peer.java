package dev.courier.client.testing;

import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Hello;
import dev.courier.protocol.Message;
import dev.courier.protocol.MessageReader;
import dev.courier.protocol.MessageWriter;
import dev.courier.protocol.Ping;
import dev.courier.protocol.Pong;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The server's end of one connection of a {@link ScriptedServer}: blocking reads and writes of whole frames, on the
 * script's own thread. Reads give up after 10 s, so a client that never sends what a script waits for fails the test
 * instead of hanging it. Not thread-safe: one script drives it.
 */
public final class Peer implements AutoCloseable {
    /** The request frame limit Courier's server announces by default: 1 MiB + 64. */
    public static final int SERVER_MAX_FRAME_BYTES = (1 << 20) + 64;
    /** The chunk cap Courier's server announces by default: 8 MiB. */
    public static final int SERVER_MAX_CHUNK_BYTES = 8 << 20;
    private static final int READ_TIMEOUT_MILLIS = 10_000;
    private static final int LARGEST_FRAME_READ = 64 << 20;

    private final Socket socket;
    private final int index;
    private final DataInputStream in;
    private final OutputStream out;

    Peer(Socket socket, int index) throws IOException {
        this.socket = socket;
        this.index = index;
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** 0 for the first connection the server accepted, 1 for the next, and so on. */
    public int index() {
        return index;
    }

    /** Reads the client's HELLO and answers with the limits of Courier's server; returns the client's HELLO. */
    public Hello handshake() throws IOException {
        return handshake(SERVER_MAX_FRAME_BYTES, SERVER_MAX_CHUNK_BYTES);
    }

    /** Reads the client's HELLO and answers with these limits, whatever they are; returns the client's HELLO. */
    public Hello handshake(int maxFrameBytes, int maxChunkBytes) throws IOException {
        Hello client = expectHello();
        sendRaw(helloFrame(0, FrameDescriptor.VERSION, maxFrameBytes, maxChunkBytes));
        return client;
    }

    /** Reads the client's HELLO without answering it. */
    public Hello expectHello() throws IOException {
        Message m = readFrame();
        if (!(m instanceof Hello h)) {
            throw new AssertionError("expected the client's HELLO, got " + m);
        }
        return h;
    }

    /**
     * A HELLO frame with any field values, including ones {@link Hello} refuses to hold (a limit of 0 or of
     * 2<sup>32</sup>-1, written as the int with the same bits).
     */
    public static byte[] helloFrame(int requestId, int version, int maxFrameBytes, int maxChunkBytes) {
        ByteBuf b = Unpooled.buffer(24);
        b.writeInt(20).writeByte(0x01).writeByte(0).writeInt(requestId);
        b.writeInt(FrameDescriptor.MAGIC).writeShort(version).writeInt(maxFrameBytes).writeInt(maxChunkBytes);
        return bytes(b);
    }

    /** The next frame from the client but PINGs, which are answered, and PONGs, which are dropped. */
    public Message receive() throws IOException {
        while (true) {
            Message m = readFrame();
            if (m instanceof Ping p) {
                send(new Pong(p.requestId(), p.token()));
            } else if (!(m instanceof Pong)) {
                return m;
            }
        }
    }

    /** {@link #receive()}, which must be a {@code type}. */
    public <T extends Message> T expect(Class<T> type) throws IOException {
        Message m = receive();
        if (!type.isInstance(m)) {
            throw new AssertionError("expected a " + type.getSimpleName() + " from the client, got " + m);
        }
        return type.cast(m);
    }

    /**
     * Answers every request with {@code answer}'s reply (none when it returns null) until the client closes the
     * connection.
     */
    public void serve(Function<Message, Message> answer) throws IOException {
        while (true) {
            Message reply = answer.apply(receive());
            if (reply != null) {
                send(reply);
            }
        }
    }

    public void send(Message m) throws IOException {
        ByteBuf b = Unpooled.buffer();
        MessageWriter.write(m, b);
        sendRaw(bytes(b));
    }

    public void sendRaw(byte[] frame) throws IOException {
        out.write(frame);
        out.flush();
    }

    /**
     * Writes frames from {@code next} as fast as the client takes them, reading nothing, until the client closes the
     * connection or {@code maxFrames} are written.
     *
     * @return the frames written before the connection broke, or {@code maxFrames}
     */
    public long flood(Supplier<Message> next, long maxFrames) {
        OutputStream buffered = new BufferedOutputStream(out, 64 << 10);
        ByteBuf b = Unpooled.buffer(256);
        long written = 0;
        try {
            for (; written < maxFrames; written++) {
                b.clear();
                MessageWriter.write(next.get(), b);
                b.readBytes(buffered, b.readableBytes());
            }
            buffered.flush();
        } catch (IOException e) {
            // The client closed the connection.
        }
        return written;
    }

    /**
     * Reads and drops whatever the client sends, answering nothing (not even PINGs), until it closes the connection
     * or {@code timeoutMillis} pass.
     *
     * @return true when the client closed (or reset) the connection in time
     */
    public boolean awaitClientClose(long timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        byte[] sink = new byte[8192];
        try {
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return false;
                }
                socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
                if (in.read(sink) < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset by the client
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(READ_TIMEOUT_MILLIS);
            }
        }
    }

    private Message readFrame() throws IOException {
        int length = in.readInt();
        if (length < FrameDescriptor.MIN_FRAME_LENGTH || length > LARGEST_FRAME_READ) {
            throw new AssertionError("the client sent a frame length of " + Integer.toUnsignedString(length));
        }
        ByteBuf frame = Unpooled.wrappedBuffer(new byte[FrameDescriptor.LENGTH_FIELD_BYTES + length]);
        frame.setInt(FrameDescriptor.LENGTH_OFFSET, length);
        in.readFully(frame.array(), FrameDescriptor.LENGTH_FIELD_BYTES, length);
        return MessageReader.readRequest(frame);
    }

    private static byte[] bytes(ByteBuf b) {
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        return bytes;
    }

    /** Closes the connection (a FIN). */
    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** Closes the connection with a reset instead of a FIN. */
    public void abort() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }
}
