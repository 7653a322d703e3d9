package dev.courier.server.testing;

import java.nio.file.Path;

/**
 * Swaps two names atomically ({@link NativeFs#exchange}), over and over, on a thread of its own until closed: the
 * tight loop that races a server's check of a path against its open of it.
 */
public final class NameSwapper implements AutoCloseable {
    private final Thread thread;
    private volatile boolean stop;
    private volatile long swaps;
    private volatile Exception failure;

    public NameSwapper(Path a, Path b) {
        thread = Thread.ofPlatform().daemon().name("name-swapper").start(() -> {
            try {
                while (!stop) {
                    NativeFs.exchange(a, b);
                    swaps++;
                }
            } catch (Exception e) {
                failure = e;
            }
        });
    }

    /** Swaps made so far. */
    public long swaps() {
        return swaps;
    }

    /** Stops swapping; rethrows what made a swap fail, if one did. */
    @Override
    public void close() throws Exception {
        stop = true;
        thread.join();
        if (failure != null) {
            throw failure;
        }
    }
}
