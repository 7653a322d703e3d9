package dev.courier.load;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The smallest client of a streaming read, to measure what the server costs: one connection, one READ_STREAM of a
 * whole file, credit granted back as the data is consumed, and the data dropped (its CRC32C checked with
 * {@code --crc}). JDK only, hand-written frames, so it runs as a single source file next to {@code curl}:
 *
 * <pre>
 *   java courier-load/src/test/java/dev/courier/load/StreamDiscard.java 127.0.0.1:21000 /path/big.bin \
 *       [--crc] [--chunk BYTES] [--window BYTES]
 * </pre>
 *
 * The file must be under the server's root with its name at the top; its size and time are read from the local
 * path, as a client would take them from DIGEST_RESULT. Prints one line: bytes, seconds, MB/s (10^6 B/s).
 * Bounded: it stops with an error after 120 s.
 */
public final class StreamDiscard {
    private static final int HEADER_BYTES = 22;
    private static final long DEADLINE_NANOS = 120_000_000_000L;

    private StreamDiscard() {
    }

    public static void main(String[] args) throws IOException {
        String[] hostPort = args[0].split(":");
        Path file = Path.of(args[1]);
        boolean crcs = false;
        int chunkBytes = 1 << 20;
        int windowBytes = 64 << 20;
        for (int i = 2; i < args.length; i++) {
            switch (args[i]) {
                case "--crc" -> crcs = true;
                case "--chunk" -> chunkBytes = Integer.parseInt(args[++i]);
                case "--window" -> windowBytes = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        long size = Files.size(file);
        long modifiedMillis = Files.getLastModifiedTime(file).toMillis();
        byte[] name = file.getFileName().toString().getBytes(StandardCharsets.UTF_8);
        try (SocketChannel ch = SocketChannel.open(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])))) {
            ByteBuffer hello = ByteBuffer.allocate(24).putInt(20).put((byte) 1).put((byte) 0).putInt(0)
                    .putInt(0x434F5552).putShort((short) 1).putInt((16 << 20) + 22).putInt(16 << 20).flip();
            writeFully(ch, hello);
            ByteBuffer reply = ByteBuffer.allocate(24);
            while (reply.hasRemaining()) {
                if (ch.read(reply) < 0) {
                    throw new IOException("closed during the handshake");
                }
            }
            long start = System.nanoTime();
            ByteBuffer request = ByteBuffer.allocate(10 + 40 + 2 + name.length).putInt(6 + 40 + 2 + name.length)
                    .put((byte) 0x28).put((byte) 0).putInt(1).putLong(0).putLong(size).putInt(windowBytes)
                    .putInt(chunkBytes).putLong(size).putLong(modifiedMillis).putShort((short) name.length)
                    .put(name).flip();
            writeFully(ch, request);
            long received = receive(ch, size, windowBytes, crcs, start);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("%d bytes %.3f s %.1f MB/s%s%n", received, seconds, received / seconds / 1e6,
                    crcs ? " crc ok" : "");
        }
    }

    /** Reads the stream's frames until END; returns the data bytes. */
    private static long receive(SocketChannel ch, long size, int windowBytes, boolean crcs, long start)
            throws IOException {
        ByteBuffer in = ByteBuffer.allocateDirect(4 << 20);
        ByteBuffer window = ByteBuffer.allocate(14);
        CRC32C crc = new CRC32C();
        long received = 0;
        long ungranted = 0;
        long dataLeft = -1; // of the current chunk; -1 while a header is awaited
        int expectedCrc = 0;
        boolean end = false;
        in.flip();
        while (true) {
            if (dataLeft < 0 && in.remaining() >= HEADER_BYTES) {
                int length = in.getInt();
                int type = in.get() & 0xff;
                int flags = in.get() & 0xff;
                in.getInt();
                if (type != 0x25) {
                    throw new IOException("frame of type 0x" + Integer.toHexString(type) + " instead of a chunk");
                }
                in.getLong();
                expectedCrc = in.getInt();
                dataLeft = length - 18;
                end = (flags & 0x08) != 0;
                crc.reset();
            }
            if (dataLeft >= 0) {
                int take = (int) Math.min(dataLeft, in.remaining());
                if (crcs) {
                    crc.update(in.slice(in.position(), take));
                }
                in.position(in.position() + take);
                dataLeft -= take;
                received += take;
                ungranted += take;
                if (dataLeft == 0) {
                    if (crcs && (int) crc.getValue() != expectedCrc) {
                        throw new IOException("bad CRC32C at byte " + received);
                    }
                    dataLeft = -1;
                    if (end) {
                        return received;
                    }
                }
                if (ungranted >= windowBytes / 2) {
                    window.clear().putInt(10).put((byte) 0x29).put((byte) 0).putInt(1).putInt((int) ungranted)
                            .flip();
                    writeFully(ch, window);
                    ungranted = 0;
                }
            }
            if (dataLeft < 0 && in.remaining() >= HEADER_BYTES || dataLeft > 0 && in.hasRemaining()) {
                continue;
            }
            if (System.nanoTime() - start > DEADLINE_NANOS) {
                throw new IOException("gave up after 120 s with " + received + " of " + size + " bytes");
            }
            in.compact();
            if (ch.read(in) < 0) {
                throw new IOException("closed after " + received + " of " + size + " bytes");
            }
            in.flip();
        }
    }

    private static void writeFully(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
