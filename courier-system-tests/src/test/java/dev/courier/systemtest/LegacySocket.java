package dev.courier.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A legacy-protocol client on a plain socket: little-endian requests, as the old clients wrote them, built here from
 * the protocol's layouts rather than from the server's code. It counts every byte it writes and reads, so a test
 * can hold the server's byte counters against what went over the socket. Reads time out as a safety net. Not
 * thread-safe: one test thread.
 */
final class LegacySocket implements AutoCloseable {
    // The request types of the legacy protocol.
    static final int DATA = 1;
    static final int FILE = 2;
    static final int QUIT = 3;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private long sentBytes;
    private long receivedBytes;

    LegacySocket(InetSocketAddress address, int receiveBufferBytes) throws IOException {
        socket = new Socket();
        if (receiveBufferBytes > 0) {
            socket.setReceiveBufferSize(receiveBufferBytes);
        }
        socket.setTcpNoDelay(true);
        socket.connect(address, 5_000);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** FILE: {@code lengthBytes} of the file from {@code offsetBytes}, or its size when both are 0. */
    static byte[] file(long offsetBytes, int lengthBytes, String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(25 + n.length).order(ByteOrder.LITTLE_ENDIAN).putInt(FILE).putInt(0)
                .putLong(offsetBytes).putInt(lengthBytes).putInt(0).put(n).put((byte) 0).array();
    }

    /** DATA: the sample of {@code person}'s channel {@code ecg} nearest {@code timeSeconds}. */
    static byte[] data(int person, double timeSeconds, int ecg) {
        return ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(DATA).putInt(person)
                .putDouble(timeSeconds).putInt(ecg).putInt(0).array();
    }

    /** A request that is only its 4-byte type: QUIT, or a type the server does not know. */
    static byte[] type(int type) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(type).array();
    }

    void send(byte[] request) throws IOException {
        out.write(request);
        out.flush();
        sentBytes += request.length;
    }

    /** Exactly {@code n} bytes of replies. */
    byte[] read(int n) throws IOException {
        byte[] b = new byte[n];
        in.readFully(b);
        receivedBytes += n;
        return b;
    }

    /** A DATA reply: the f64 value. */
    double readDouble() throws IOException {
        return ByteBuffer.wrap(read(Double.BYTES)).order(ByteOrder.LITTLE_ENDIAN).getDouble();
    }

    /** A FILE size reply: the i64 size. */
    long readLong() throws IOException {
        return ByteBuffer.wrap(read(Long.BYTES)).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** Person 3 at 0.008 s, first channel: answered with {@code expected} within a second. */
    void assertServed(double expected) throws IOException {
        long start = System.nanoTime();
        assertAnswered(expected);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1_000);
    }

    /** Person 3 at 0.008 s, first channel: answered with {@code expected}, however long it takes. */
    void assertAnswered(double expected) throws IOException {
        send(data(3, 0.008, 1));
        assertThat(readDouble()).isEqualTo(expected);
    }

    /** True when the server ends the connection (end of stream or reset) within {@code millis}. */
    boolean endsWithin(int millis) throws IOException {
        socket.setSoTimeout(millis);
        byte[] sink = new byte[1 << 16];
        try {
            for (int n = in.read(sink); n >= 0; n = in.read(sink)) {
                receivedBytes += n; // what was sent before the close
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        }
    }

    /** Every byte written to the socket so far. */
    long sentBytes() {
        return sentBytes;
    }

    /** Every byte read from the socket so far. */
    long receivedBytes() {
        return receivedBytes;
    }

    int localPort() {
        return socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
