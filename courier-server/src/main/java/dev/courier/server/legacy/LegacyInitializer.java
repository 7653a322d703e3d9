package dev.courier.server.legacy;

import dev.courier.server.files.FileService;
import dev.courier.server.points.RecordingStore;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import java.util.concurrent.Executor;

/**
 * The pipeline of a legacy-protocol connection, assembled in one place: requests cut by {@link LegacyDecoder},
 * replies written by {@link LegacyEncoder}, one {@link LegacyHandler} per connection. It serves the same
 * recordings and the same files root as the main protocol. Shared by every connection of one listening port.
 */
public final class LegacyInitializer extends ChannelInitializer<SocketChannel> {
    private final LegacyPoints points;
    private final LegacyFiles files;
    private final Executor blocking;

    /**
     * @param recordings    what DATA requests read; person {@code n} is record {@code "n"}
     * @param files         what FILE requests read, with its confinement rules and shared open files
     * @param blocking      where file operations run, off the event loop
     * @param maxChunkBytes the longest chunk one FILE request may ask for, in bytes; longer ones close the
     *                      connection
     */
    public LegacyInitializer(RecordingStore recordings, FileService files, Executor blocking, int maxChunkBytes) {
        if (maxChunkBytes < 1) {
            throw new IllegalArgumentException("maxChunkBytes must be positive: " + maxChunkBytes);
        }
        this.points = new LegacyPoints(recordings);
        this.files = new LegacyFiles(files, maxChunkBytes);
        this.blocking = blocking;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ch.pipeline()
                .addLast("decoder", new LegacyDecoder())
                .addLast("encoder", LegacyEncoder.INSTANCE)
                .addLast("handler", new LegacyHandler(points, files, blocking));
    }
}
