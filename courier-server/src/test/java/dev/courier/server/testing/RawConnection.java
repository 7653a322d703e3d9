package dev.courier.server.testing;

import dev.courier.protocol.FrameDescriptor;
import dev.courier.protocol.Hello;
import dev.courier.protocol.Message;
import dev.courier.protocol.MessageReader;
import dev.courier.protocol.MessageWriter;
import dev.courier.protocol.Reply;
import dev.courier.protocol.Secret;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A plain blocking socket that speaks Courier frames byte by byte, for tests that must send what a well-behaved
 * client never would. Reads time out after 10 s so a broken server fails the test instead of hanging it.
 */
public final class RawConnection implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    public RawConnection(InetSocketAddress server) throws IOException {
        this(server, 0);
    }

    /**
     * A connection whose receive buffer is {@code receiveBufferBytes}, set before connecting so that the TCP window
     * stays that small: a client that reads slowly or not at all. 0 for the system's default.
     */
    public RawConnection(InetSocketAddress server, int receiveBufferBytes) throws IOException {
        this(connect(server, receiveBufferBytes, null));
    }

    /**
     * A connection from the local address {@code from} (null for any): another loopback address such as 127.0.0.2
     * is another client to a server that tells clients apart by address.
     */
    public RawConnection(InetSocketAddress server, int receiveBufferBytes, InetAddress from) throws IOException {
        this(connect(server, receiveBufferBytes, from));
    }

    private RawConnection(Socket socket) throws IOException {
        this.socket = socket;
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /**
     * A connection over TLS from {@code tls} (see {@link TestTls}), the server's certificate verified for the address
     * dialled, the handshake done.
     */
    public static RawConnection tls(InetSocketAddress server, SSLSocketFactory tls) throws IOException {
        Socket plain = connect(server, 0, null);
        SSLSocket s = (SSLSocket) tls.createSocket(plain, server.getHostString(), server.getPort(), true);
        SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(p);
        s.startHandshake();
        return new RawConnection(s);
    }

    /** {@link #tls} and the Courier handshake. */
    public static RawConnection tlsHandshaken(InetSocketAddress server, SSLSocketFactory tls) throws IOException {
        return hello(tls(server, tls), defaultHello());
    }

    private static Socket connect(InetSocketAddress server, int receiveBufferBytes, InetAddress from)
            throws IOException {
        Socket socket = new Socket();
        if (from != null) {
            socket.bind(new InetSocketAddress(from, 0));
        }
        if (receiveBufferBytes > 0) {
            socket.setReceiveBufferSize(receiveBufferBytes);
        }
        socket.connect(server, 5_000);
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        return socket;
    }

    /** The serial number of the certificate the server presented; only on a {@link #tls} connection. */
    public BigInteger peerSerial() throws IOException {
        X509Certificate leaf = (X509Certificate) ((SSLSocket) socket).getSession().getPeerCertificates()[0];
        return leaf.getSerialNumber();
    }

    /** Connects and completes the handshake with default limits. */
    public static RawConnection handshaken(InetSocketAddress server) throws IOException {
        return handshaken(server, 0);
    }

    /** Connects with a receive buffer of {@code receiveBufferBytes} (0 for the default) and completes the handshake. */
    public static RawConnection handshaken(InetSocketAddress server, int receiveBufferBytes) throws IOException {
        return hello(new RawConnection(server, receiveBufferBytes), defaultHello());
    }

    /** Connects from the local address {@code from} and completes the handshake with default limits. */
    public static RawConnection handshakenFrom(InetSocketAddress server, InetAddress from) throws IOException {
        return hello(new RawConnection(server, 0, from), defaultHello());
    }

    /** Connects and completes the handshake with default limits and {@code token}, for a server with --auth. */
    public static RawConnection handshaken(InetSocketAddress server, Secret token) throws IOException {
        return hello(new RawConnection(server, 0), defaultHello().withToken(token));
    }

    private static Hello defaultHello() {
        return new Hello(0, FrameDescriptor.VERSION, 16 << 20, 8 << 20);
    }

    private static RawConnection hello(RawConnection c, Hello hello) throws IOException {
        c.send(hello);
        Message reply = c.receive();
        if (!(reply instanceof Hello)) {
            throw new IllegalStateException("expected HELLO, got " + reply);
        }
        return c;
    }

    public void send(Message m) throws IOException {
        ByteBuf buf = Unpooled.buffer();
        MessageWriter.write(m, buf);
        byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        out.write(bytes);
        out.flush();
    }

    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads one frame and decodes it, as a client does. A CHUNK's data is a heap buffer the caller may ignore. */
    public Reply receive() throws IOException {
        int length = in.readInt();
        if (length < FrameDescriptor.MIN_FRAME_LENGTH || length > (64 << 20)) {
            throw new IOException("bad frame length from server: " + length);
        }
        ByteBuf frame = Unpooled.wrappedBuffer(new byte[FrameDescriptor.LENGTH_FIELD_BYTES + length]);
        frame.setInt(FrameDescriptor.LENGTH_OFFSET, length);
        in.readFully(frame.array(), FrameDescriptor.LENGTH_FIELD_BYTES, length);
        return MessageReader.readReply(frame);
    }

    /** True when the server closed the connection: the next read sees end of stream (or a reset). */
    public boolean closedByServer() throws IOException {
        try {
            return in.read() == -1;
        } catch (SocketException | SSLException e) {
            return true; // reset by peer, or a TLS alert on the way out, also means closed
        } catch (EOFException e) {
            return true;
        }
    }

    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Closes with a TCP reset instead of a FIN: the abrupt way a crashed client goes. */
    public void abort() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
