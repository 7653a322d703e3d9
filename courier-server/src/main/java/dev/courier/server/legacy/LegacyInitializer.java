package dev.courier.server.legacy;

import dev.courier.server.files.FileService;
import dev.courier.server.ops.ServerMetrics;
import dev.courier.server.points.RecordingStore;
import dev.courier.transport.Keepalive;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * The pipeline of a legacy-protocol connection, assembled in one place: a {@link Keepalive} at the head, which hears
 * every byte read (a request still arriving is not idle) and watches that replies leave; requests cut by
 * {@link LegacyDecoder}, replies written by {@link LegacyEncoder}, one {@link LegacyHandler} per connection. It
 * serves the same recordings and the same files root as the main protocol, with the same idle and write timeouts
 * but no pings: the legacy protocol has none. With metrics, the decoder and the encoder count the bytes that carry
 * samples and file contents. Shared by every connection of one listening port.
 */
public final class LegacyInitializer extends ChannelInitializer<SocketChannel> {
    private final LegacyPoints points;
    private final LegacyFiles files;
    private final Executor blocking;
    private final Keepalive.Timers timers;
    /** Null without metrics. */
    private final ServerMetrics metrics;
    private final LegacyEncoder encoder;

    /**
     * @param recordings    what DATA requests read; person {@code n} is record {@code "n"}
     * @param files         what FILE requests read, with its confinement rules and shared open files
     * @param blocking      where file operations run, off the event loop
     * @param maxChunkBytes the longest chunk one FILE request may ask for, in bytes; longer ones close the
     *                      connection
     * @param idleTimeoutMillis  a connection that sends nothing this long is closed; 0 never
     * @param writeTimeoutMillis a connection whose client takes none of its replies this long is closed; 0 never
     * @param metrics            where the port's bytes are counted by kind, if metrics are on
     */
    public LegacyInitializer(RecordingStore recordings, FileService files, Executor blocking, int maxChunkBytes,
                             long idleTimeoutMillis, long writeTimeoutMillis, Optional<ServerMetrics> metrics) {
        if (maxChunkBytes < 1) {
            throw new IllegalArgumentException("maxChunkBytes must be positive: " + maxChunkBytes);
        }
        this.points = new LegacyPoints(recordings);
        this.files = new LegacyFiles(files, maxChunkBytes);
        this.blocking = blocking;
        this.timers = Keepalive.Timers.of(0, idleTimeoutMillis, writeTimeoutMillis);
        this.metrics = metrics.orElse(null);
        this.encoder = new LegacyEncoder(this.metrics);
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        if (timers.enabled()) {
            ch.pipeline().addLast("keepalive", new Keepalive(timers));
        }
        ch.pipeline()
                .addLast("decoder", new LegacyDecoder(metrics))
                .addLast("encoder", encoder)
                .addLast("handler", new LegacyHandler(points, files, blocking, timers));
    }
}
