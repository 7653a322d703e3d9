package dev.courier.server.testing;

import dev.courier.server.CourierServer;
import dev.courier.server.ServerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/** Starts real servers on a free loopback port for tests. */
public final class TestServers {
    private TestServers() {
    }

    /** The bundled recordings, serving {@code filesRoot}. */
    public static CourierServer start(Path filesRoot) throws IOException, InterruptedException {
        return CourierServer.start(config(filesRoot));
    }

    /** The bundled recordings, serving them as files too. */
    public static CourierServer start() throws IOException, InterruptedException {
        return start(CsvTruth.dataDir());
    }

    /**
     * {@link #config(Path)} with uploads accepted into {@code uploads} and no free-space reserve: a test must not
     * pass or fail by how full the machine's disk is (the reserve has tests of its own, which set it).
     */
    public static ServerConfig withUploads(Path filesRoot, Path uploads) {
        return config(filesRoot).withUploadDir(uploads).toBuilder().uploadMinFreeBytes(0).build();
    }

    public static ServerConfig config(Path filesRoot) {
        return ServerConfig.of(new InetSocketAddress("127.0.0.1", 0), CsvTruth.dataDir(), filesRoot);
    }
}
