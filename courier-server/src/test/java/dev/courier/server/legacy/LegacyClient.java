package dev.courier.server.legacy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A legacy client on a plain blocking socket, writing requests byte for byte as the old x86-64 clients did. Reads
 * block with a timeout as a safety net, so a test that waits for a reply that never comes fails instead of hanging.
 */
final class LegacyClient implements AutoCloseable {
    static final int TIMEOUT_MILLIS = 20_000;
    /** Padding is "any value": the tests fill it with this, never zeros, to show that it is ignored. */
    private static final int PADDING = 0xDEADBEEF;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    LegacyClient(InetSocketAddress address) throws IOException {
        this(address, 0);
    }

    /** A client whose receive buffer, and so TCP window, is {@code receiveBufferBytes}; 0 for the default. */
    LegacyClient(InetSocketAddress address, int receiveBufferBytes) throws IOException {
        socket = new Socket();
        if (receiveBufferBytes > 0) {
            socket.setReceiveBufferSize(receiveBufferBytes);
        }
        socket.setTcpNoDelay(true);
        socket.connect(address, TIMEOUT_MILLIS);
        socket.setSoTimeout(TIMEOUT_MILLIS);
        in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        out = socket.getOutputStream();
    }

    static byte[] data(int person, double timeSeconds, int ecg) {
        return le(24).putInt(1).putInt(person).putDouble(timeSeconds).putInt(ecg).putInt(PADDING).array();
    }

    static byte[] file(long offsetBytes, int lengthBytes, String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        return le(25 + n.length).putInt(2).putInt(PADDING).putLong(offsetBytes).putInt(lengthBytes).putInt(PADDING)
                .put(n).put((byte) 0).array();
    }

    static byte[] sizeOf(String name) {
        return file(0, 0, name);
    }

    static byte[] quit() {
        return type(3);
    }

    static byte[] type(int type) {
        return le(4).putInt(type).array();
    }

    static byte[] hex(String hex) {
        String h = hex.replace(" ", "");
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(h, 2 * i, 2 * i + 2, 16);
        }
        return b;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            all.writeBytes(p);
        }
        return all.toByteArray();
    }

    static ByteBuffer le(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Writes every request in one write call, as one burst. */
    void send(byte[]... requests) throws IOException {
        out.write(concat(requests));
        out.flush();
    }

    /** Writes one byte at a time, each its own write call (and, with no Nagle, usually its own segment). */
    void sendByteByByte(byte[] bytes) throws IOException {
        for (byte b : bytes) {
            out.write(b);
            out.flush();
        }
    }

    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    byte[] readExactly(int bytes) throws IOException {
        byte[] b = in.readNBytes(bytes);
        assertThat(b.length).as("bytes of a %d-byte reply before the server closed the connection", bytes)
                .isEqualTo(bytes);
        return b;
    }

    /** Fills {@code into[offset, offset + length)} from the socket. */
    void readFully(byte[] into, int offset, int length) throws IOException {
        int n = in.readNBytes(into, offset, length);
        assertThat(n).as("bytes of a %d-byte chunk before the server closed the connection", length)
                .isEqualTo(length);
    }

    double readDouble() throws IOException {
        return ByteBuffer.wrap(readExactly(8)).order(ByteOrder.LITTLE_ENDIAN).getDouble();
    }

    long readLong() throws IOException {
        return ByteBuffer.wrap(readExactly(8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    int readByte() throws IOException {
        return in.read();
    }

    /** The server closed the connection: the next read sees the end of the stream, not data and not a timeout. */
    void assertClosedByServer() throws IOException {
        assertThat(in.read()).as("a read after the server should have closed the connection").isEqualTo(-1);
    }

    /**
     * True when the connection has ended (end of stream or a reset) after reading at most what was still on its way;
     * false when the server keeps it open past the read timeout.
     */
    boolean endsAfterDraining() throws IOException {
        byte[] sink = new byte[1 << 16];
        try {
            while (in.read(sink) >= 0) {
                // what the server had sent before it closed
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset
        }
    }

    /** Reads time out after {@code millis} from now on. */
    void readTimeoutMillis(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    /** The client's own address, as the server logs it. */
    InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
