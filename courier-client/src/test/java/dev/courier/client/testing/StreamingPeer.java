package dev.courier.client.testing;

import dev.courier.protocol.CancelStream;
import dev.courier.protocol.ChunkReply;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.Message;
import dev.courier.protocol.StreamRequest;
import dev.courier.protocol.WindowUpdate;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.zip.CRC32C;

/**
 * A scripted server's side of READ_STREAM, as a correct server plays it on one connection: every open stream is sent
 * its chunks in order while its credit covers them, WINDOW adds credit, CANCEL ends the stream with an empty END;
 * every other request goes to {@code answer} as in {@link Peer#serve}. A test lies by giving a {@link Lie}, which
 * sees each chunk before it goes out and may replace it, drop it, or stop the whole connection.
 *
 * <p>Not thread-safe: one per connection, on the script's thread.
 */
public final class StreamingPeer {
    /** What a script does to a chunk a correct server would send now. */
    @FunctionalInterface
    public interface Lie {
        /**
         * @param index the chunk's index in its stream, from 0
         * @return what to send instead ({@code honest} for the truth), or null to stop sending anything more and
         *         only read until the client closes the connection
         */
        Message apply(StreamRequest request, int index, ChunkReply honest);
    }

    /** The truth. */
    public static final Lie NONE = (request, index, honest) -> honest;

    private final Peer peer;
    private final ServedFile file;
    private final Lie lie;
    private final Map<Integer, Open> open = new LinkedHashMap<>();
    private int streamsOpened;

    private static final class Open {
        final StreamRequest request;
        long next;
        long credit;
        int index;

        Open(StreamRequest request) {
            this.request = request;
            this.next = request.offsetBytes();
            this.credit = request.windowBytes();
        }

        long end() {
            return request.offsetBytes() + request.lengthBytes();
        }
    }

    public StreamingPeer(Peer peer, ServedFile file, Lie lie) {
        this.peer = peer;
        this.file = file;
        this.lie = lie;
    }

    /** READ_STREAMs this peer has been sent. */
    public int streamsOpened() {
        return streamsOpened;
    }

    /** Serves until the client closes the connection (an IOException) or the lie says stop. */
    public void serve(Function<Message, Message> answer) throws IOException {
        while (true) {
            Open ready = ready();
            if (ready != null) {
                if (!sendNext(ready)) {
                    peer.awaitClientClose(30_000);
                    return;
                }
                continue;
            }
            Message m = peer.receive();
            switch (m) {
                case StreamRequest r -> start(r);
                case WindowUpdate w -> {
                    Open o = open.get(w.requestId());
                    if (o != null) {
                        o.credit += w.incrementBytes();
                    }
                }
                case CancelStream c -> {
                    Open o = open.remove(c.requestId());
                    if (o != null) {
                        peer.send(chunk(o.request.requestId(), o.next, 0, true));
                    }
                }
                default -> {
                    Message reply = answer.apply(m);
                    if (reply != null) {
                        peer.send(reply);
                    }
                }
            }
        }
    }

    private void start(StreamRequest r) throws IOException {
        streamsOpened++;
        if (r.sizeBytes() != file.content().length || r.modifiedMillis() != file.modifiedMillis()) {
            peer.send(new ErrorReply(r.requestId(), ErrorCode.FILE_CHANGED, "not that version"));
            return;
        }
        Open o = new Open(r);
        if (r.lengthBytes() == 0) {
            peer.send(chunk(r.requestId(), r.offsetBytes(), 0, true));
            return;
        }
        open.put(r.requestId(), o);
    }

    /** The first open stream whose credit covers its next chunk, or null. */
    private Open ready() {
        for (Open o : open.values()) {
            int n = (int) Math.min(o.request.chunkBytes(), o.end() - o.next);
            if (o.credit >= n) {
                return o;
            }
        }
        return null;
    }

    private boolean sendNext(Open o) throws IOException {
        int n = (int) Math.min(o.request.chunkBytes(), o.end() - o.next);
        boolean end = o.next + n == o.end();
        ChunkReply honest = chunk(o.request.requestId(), o.next, n, end);
        Message sent = lie.apply(o.request, o.index++, honest);
        if (sent == null) {
            honest.release();
            return false;
        }
        if (sent != honest) {
            honest.release();
        }
        peer.send(sent);
        o.next += n;
        o.credit -= n;
        if (end) {
            open.remove(o.request.requestId());
        }
        return true;
    }

    /** A correct CHUNK of the file: {@code n} bytes at {@code offset}, flags CRC, LAST where it ends the file. */
    public ChunkReply chunk(int requestId, long offset, int n, boolean end) {
        CRC32C crc = new CRC32C();
        crc.update(file.content(), (int) offset, n);
        return new ChunkReply(requestId, offset, offset + n == file.content().length, end, true,
                (int) crc.getValue(), Unpooled.wrappedBuffer(file.content(), (int) offset, n));
    }
}
