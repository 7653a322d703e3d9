package dev.courier.server;

import dev.courier.server.access.ConnectionRecord;
import dev.courier.server.auth.Authenticator;
import dev.courier.server.files.FileRoot;
import dev.courier.server.files.FileService;
import dev.courier.server.legacy.LegacyInitializer;
import dev.courier.server.limits.AddressConnections;
import dev.courier.server.limits.ClientLimits;
import dev.courier.server.limits.RateLimiter;
import dev.courier.server.ops.ConnectionRefusal;
import dev.courier.server.ops.OpsHttpServer;
import dev.courier.server.ops.OpsLimits;
import dev.courier.server.ops.Readiness;
import dev.courier.server.ops.ServerMetrics;
import dev.courier.server.ops.ServerMetrics.Port;
import dev.courier.server.reload.ReloadOnChange;
import dev.courier.server.points.CsvRecordingLoader;
import dev.courier.server.points.RecordingCache;
import dev.courier.server.live.LiveStore;
import dev.courier.server.points.RecordingStore;
import dev.courier.server.points.Sidecar;
import dev.courier.server.tls.ServerTls;
import dev.courier.server.uploads.UploadLeases;
import dev.courier.server.uploads.UploadLimits;
import dev.courier.server.uploads.UploadService;
import dev.courier.protocol.ErrorCode;
import dev.courier.protocol.ErrorReply;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.ChannelInitializer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Courier server: recordings loaded, files root opened, listening. Start one with
 * {@link #start(ServerConfig)}; {@link #close()} stops accepting, closes every connection and releases the threads.
 * When the configuration names a legacy port, a second listener speaks the legacy protocol over the same
 * recordings, files root, threads and blocking executor (see {@code dev.courier.server.legacy}). Thread-safe.
 */
public final class CourierServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CourierServer.class);
    private static final int LISTEN_BACKLOG = 65535;
    /**
     * Netty's default sizing (reads start at 2 KiB and adapt between 64 B and 64 KiB), as one instance shared by every
     * connection rather than one each: the allocator is stateless, and 32 bytes times a million connections is
     * 32 MB of heap. Buffers are taken only for the duration of a read, so an idle connection holds none.
     */
    private static final AdaptiveRecvByteBufAllocator RECEIVE_BUFFERS = new AdaptiveRecvByteBufAllocator(64, 2048,
            65536);

    private final ServerConfig config;
    private final RecordingStore recordings;
    private final List<String> loadProblems;
    private final Transport transport;
    private final EventLoopGroup workerGroup;
    private final ExecutorService blocking;
    private final ChannelGroup connections;
    private final Channel serverChannel;
    private final Channel legacyChannel;
    private final ChannelGroup legacyConnections;
    private final ServerContext context;
    private final Readiness readiness;
    /** The operations HTTP port, or null when the configuration has none. */
    private final OpsHttpServer ops;
    private final Object closeLock = new Object();
    private boolean closed;

    private CourierServer(ServerConfig config, RecordingStore recordings, List<String> loadProblems,
                          Transport transport, EventLoopGroup workerGroup,
                          ExecutorService blocking, ChannelGroup connections, Channel serverChannel,
                          Channel legacyChannel, ChannelGroup legacyConnections, ServerContext context,
                          Readiness readiness, OpsHttpServer ops) {
        this.config = config;
        this.recordings = recordings;
        this.loadProblems = loadProblems;
        this.transport = transport;
        this.workerGroup = workerGroup;
        this.blocking = blocking;
        this.connections = connections;
        this.serverChannel = serverChannel;
        this.legacyChannel = legacyChannel;
        this.legacyConnections = legacyConnections;
        this.context = context;
        this.readiness = readiness;
        this.ops = ops;
    }

    /**
     * Loads the recordings (memory-mapped column files, converted from the CSVs where missing or out of date; see
     * {@link RecordingCache}), opens the files root and binds. The operations port, when configured, is bound first,
     * so that {@code /health} answers and {@code /ready} says 503 {@code starting} while the recordings load; it says
     * 200 {@code ready} once every port is bound.
     *
     * @throws IOException when the data directory or files root cannot be read, or an address cannot be bound
     */
    public static CourierServer start(ServerConfig config) throws IOException, InterruptedException {
        Transport transport = Transport.best();
        Readiness readiness = new Readiness();
        ServerMetrics metrics = config.metrics().isPresent() ? ServerMetrics.start() : null;
        OpsHttpServer ops = null;
        try {
            if (metrics != null) {
                ops = OpsHttpServer.start(config.metrics().get(), readiness, metrics, OpsLimits.DEFAULT, transport);
            }
            CourierServer server = serve(config, transport, readiness, ops, metrics);
            readiness.ready();
            return server;
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (ops != null) {
                ops.close();
            }
            if (metrics != null) {
                metrics.close();
            }
            throw e;
        }
    }

    private static CourierServer serve(ServerConfig config, Transport transport, Readiness readiness,
                                       OpsHttpServer ops, ServerMetrics metrics)
            throws IOException, InterruptedException {
        CsvRecordingLoader.Result loaded = Sidecar.apply(config.dataDir(),
                RecordingCache.forDataDir(config.dataDir()).load(config.dataDir()));
        for (String problem : loaded.problems()) {
            log.warn("skipped a recording: {}", problem);
        }
        RecordingStore recorded = new RecordingStore(loaded.recordings(), config.maxBatchPoints());
        Optional<LiveStore> live = Optional.empty();
        if (config.live().isPresent()) {
            live = Optional.of(LiveStore.open(config.live().get(), recorded::isRecorded));
        }
        RecordingStore store = live.isPresent() ? recorded.withLive(live.get()) : recorded;
        FileService files = new FileService(new FileRoot(config.filesRoot(), Set.of(RecordingCache.FOLDER_NAME)), config.maxOpenFiles(),
                FileService.defaultDigestThreads(Runtime.getRuntime().availableProcessors()));
        ExecutorService blocking = Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("courier-blocking-", 0).factory());
        // The listeners accept on one of the I/O loops rather than on a thread of their own: an accepted connection is
        // then registered on its loop without a hand-off when it is the same loop (always, with --io-threads 1), and
        // a hundred small servers on one machine, as in bench/c1m.sh, have a hundred threads fewer.
        EventLoopGroup workers = transport.newEventLoopGroup(ioThreads(config), "courier-io");
        ConnectionLimit limit = new ConnectionLimit(config.maxConnections(), "--max-connections");
        ConnectionLimit legacyLimit = new ConnectionLimit(config.legacyMaxConnections(), "--legacy-max-connections");
        ChannelGroup connections = limit.newGroup("courier-connections");
        ChannelGroup legacyConnections = legacyLimit.newGroup("courier-legacy");
        Optional<UploadService> uploads = Optional.empty();
        if (config.uploadDir().isPresent()) {
            int maxWriteBytes = config.maxFrameBytes() - FrameDescriptor.UPLOAD_WRITE_OVERHEAD_BYTES
                    + FrameDescriptor.LENGTH_FIELD_BYTES;
            uploads = Optional.of(new UploadService(config.uploadDir().get(), new UploadLimits(maxWriteBytes,
                    config.maxUploadBytes(), config.uploadMinFreeBytes(), config.maxUploadsPerConnection(),
                    config.maxUploads(), config.uploadIdleCloseMillis(), config.uploadExpiryMillis()),
                    config.sharedUploads().map(sh -> new UploadLeases(sh.nodeId(), sh.leaseMillis(),
                            System::currentTimeMillis)).orElse(null)));
        }
        ClientLimits clientLimits = config.limits();
        Optional<RateLimiter> rates = clientLimits.rateLimited()
                ? Optional.of(new RateLimiter(clientLimits.requestsPerSecond(), clientLimits.burst()))
                : Optional.empty();
        Optional<Authenticator> auth = Optional.empty();
        Optional<ServerTls> tls = Optional.empty();
        Channel channel = null;
        ServerContext context = null;
        try {
            if (config.authFile().isPresent()) {
                auth = Optional.of(Authenticator.start(config.authFile().get(), ReloadOnChange.DEFAULT_POLL_MILLIS));
            }
            if (config.tls().isPresent()) {
                tls = Optional.of(ServerTls.start(config.tls().get(), workers, Clock.systemUTC()));
            }
            context = new ServerContext(config, store, files, uploads, blocking, new Drain(), auth, rates, tls,
                    Optional.ofNullable(metrics), live);
            AddressConnections perAddress = clientLimits.maxConnectionsPerAddress() > 0
                    ? new AddressConnections(clientLimits.maxConnectionsPerAddress()) : null;
            if (config.reusePort() && transport != Transport.EPOLL) {
                throw new IOException("--reuse-port needs the native epoll transport, which is not available here ("
                        + "Linux only; see why with -Dio.netty.native.debug=true); start without it");
            }
            channel = bootstrap(transport, workers, connections, new ServerInitializer(context), limit, perAddress,
                    config.reusePort(), false, metrics)
                    .bind(config.bindAddress()).sync().channel();
            channel.pipeline().addLast("accept-errors", AcceptErrors.INSTANCE);
            Channel legacy = null;
            if (config.legacyPort().isPresent()) {
                LegacyInitializer legacyInitializer = new LegacyInitializer(store, files, blocking,
                        config.legacyMaxChunkBytes(), config.idleTimeoutMillis(), config.writeTimeoutMillis(),
                        Optional.ofNullable(metrics));
                legacy = bootstrap(transport, workers, legacyConnections, legacyInitializer, legacyLimit, null,
                        config.reusePort(), true, metrics)
                        .bind(legacyBindAddress(config)).sync().channel();
                legacy.pipeline().addLast("accept-errors", AcceptErrors.INSTANCE);
            }
            if (metrics != null) {
                metrics.openConnections(Port.COURIER, connections::size);
                metrics.openConnections(Port.LEGACY, legacyConnections::size);
                metrics.eventLoops(workers);
            }
            CourierServer server = new CourierServer(config, store, loaded.problems(), transport, workers,
                    blocking, connections, channel, legacy, legacyConnections, context, readiness, ops);
            log.info("serving {} records and files from {} on {} ({}{}){}", store.size(), files.root().path(),
                    server.localAddress(), transport,
                    tls.map(t -> ", " + t.engineDescription() + ", presenting " + t.identity().describe()).orElse(""),
                    legacy == null ? "" : ", legacy protocol on " + legacy.localAddress());
            return server;
        } catch (Exception e) {
            if (channel != null) {
                channel.close().awaitUninterruptibly();
            }
            workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            blocking.shutdownNow();
            uploads.ifPresent(UploadService::close);
            live.ifPresent(LiveStore::close);
            auth.ifPresent(Authenticator::close);
            tls.ifPresent(ServerTls::close);
            files.close();
            if (e instanceof InterruptedException ie) {
                throw ie;
            }
            if (context == null && e instanceof IOException io) {
                throw io; // the token file: its message names the file and line
            }
            if (channel != null) {
                // The main port is bound, so it was the legacy one: say which, or the message names no port.
                throw new IOException("cannot listen on " + legacyBindAddress(config) + " for the legacy protocol: "
                        + e.getMessage(), e);
            }
            if (e instanceof IOException io) {
                throw io;
            }
            throw new IOException("cannot listen on " + config.bindAddress() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The event loops to run: as configured, or one per core. Nothing on a loop blocks (points are answered there,
     * file work goes to the blocking executor), so loops beyond the cores only add threads that compete for them and
     * split each read batch over more wake-ups. On 2 cores shared with the load client, Netty's own default of twice
     * the cores measured the longest tail with 1,000 connections (docs/benchmarks.md, "The points tail").
     */
    private static int ioThreads(ServerConfig config) {
        return config.ioThreads() > 0 ? config.ioThreads() : Runtime.getRuntime().availableProcessors();
    }

    /**
     * Both listeners alike: a deep accept backlog for clients that connect in bursts, {@code SO_REUSEPORT} when
     * asked (epoll only), every admitted child in the group and one over the limit refused; with metrics, every
     * child's bytes counted and its admission or refusal too.
     */
    private static ServerBootstrap bootstrap(Transport transport, EventLoopGroup workers,
                                             ChannelGroup connections, ChannelInitializer<?> initializer,
                                             ConnectionLimit limit, AddressConnections perAddress,
                                             boolean reusePort, boolean legacy, ServerMetrics metrics) {
        Port port = legacy ? Port.LEGACY : Port.COURIER;
        ServerBootstrap b = new ServerBootstrap()
                .group(workers)
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, LISTEN_BACKLOG)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, RECEIVE_BUFFERS)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (metrics != null) {
                            ch.pipeline().addLast("bytes", metrics.byteCounter(port));
                        }
                        ConnectionRecord.addIfEnabled(ch.pipeline(), legacy ? "legacy" : "courier");
                        if (perAddress != null && !admitAddress(ch, perAddress)) {
                            refused(ch, metrics, ConnectionRefusal.MAX_CONNECTIONS_PER_IP);
                            return;
                        }
                        if (limit.admit(ch, connections, !legacy)) {
                            if (metrics != null) {
                                metrics.accepted(port);
                            }
                            ch.pipeline().addLast(initializer);
                        } else {
                            refused(ch, metrics, legacy ? ConnectionRefusal.LEGACY_MAX_CONNECTIONS
                                    : ConnectionRefusal.MAX_CONNECTIONS);
                        }
                    }
                });
        if (reusePort) {
            b.option(EpollChannelOption.SO_REUSEPORT, true);
        }
        return b;
    }

    /** A connection turned away by a limit: counted, and its access-log line says which. */
    private static void refused(Channel ch, ServerMetrics metrics, ConnectionRefusal reason) {
        if (metrics != null) {
            metrics.rejected(reason);
        }
        ConnectionRecord record = ConnectionRecord.of(ch.pipeline());
        if (record != null) {
            record.closing("refused: " + reason.name());
        }
    }

    /**
     * Counts {@code ch} against its address's limit until it closes, or sets it up to be refused with
     * TOO_MANY_CONNECTIONS naming that limit. Refusals are not logged one by one: a client over its limit may retry
     * in a loop, and the log must not grow with it.
     */
    private static boolean admitAddress(Channel ch, AddressConnections perAddress) {
        InetAddress address = ((InetSocketAddress) ch.remoteAddress()).getAddress();
        if (!perAddress.tryOpen(address)) {
            ConnectionLimit.refuse(ch, "this address already holds " + perAddress.maxPerAddress()
                    + " connections, the most one client address may (--max-connections-per-ip); close one or "
                    + "retry later");
            return false;
        }
        ch.closeFuture().addListener(f -> perAddress.closed(address));
        return true;
    }

    private static InetSocketAddress legacyBindAddress(ServerConfig config) {
        int port = config.legacyPort().orElseThrow();
        if (config.legacyBindAddress().isPresent()) {
            return new InetSocketAddress(config.legacyBindAddress().get(), port);
        }
        InetSocketAddress main = config.bindAddress();
        return main.getAddress() != null ? new InetSocketAddress(main.getAddress(), port)
                : new InetSocketAddress(main.getHostString(), port);
    }

    /** Where the server listens; the real port when the configuration asked for port 0. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** Where the legacy protocol listens (the real port when configured as 0); empty when it is off. */
    public Optional<InetSocketAddress> legacyAddress() {
        return Optional.ofNullable(legacyChannel).map(c -> (InetSocketAddress) c.localAddress());
    }

    /** Where the operations HTTP port listens (the real port when configured as 0); empty when it is off. */
    public Optional<InetSocketAddress> metricsAddress() {
        return Optional.ofNullable(ops).map(OpsHttpServer::localAddress);
    }

    /** What {@code GET /ready} says now. */
    public Readiness.State readiness() {
        return readiness.state();
    }

    /**
     * Completes once a shutdown has started and the server reports not ready, before the drain delay: on the thread
     * that called {@link #close()}.
     */
    public CompletionStage<Void> notReady() {
        return readiness.drainingStarted();
    }

    public ServerConfig config() {
        return config;
    }

    public RecordingStore recordings() {
        return recordings;
    }

    /** One line per recording file that could not be loaded, naming the file and line. */
    public List<String> loadProblems() {
        return loadProblems;
    }

    public Transport transport() {
        return transport;
    }

    /** The main port's TLS, when it has it: what new handshakes present, and its reload. */
    public Optional<ServerTls> tls() {
        return context.tls();
    }

    /** Connections open right now, on both protocols. */
    public int connectionCount() {
        return connections.size() + legacyConnections.size();
    }

    /**
     * The most requests (file reads, digests, listings, uploads) one connection has had in flight at once so far:
     * how the cap on them ({@link ServerConfig#maxRequestsInFlight()}) can be seen to hold.
     */
    public int peakRequestsInFlightPerConnection() {
        return context.drain().peakPerConnection();
    }

    /** The token file's watcher and table, when the server has {@code --auth}. */
    public Optional<Authenticator> auth() {
        return context.auth();
    }

    /** Blocks until {@link #close()} is called from elsewhere. */
    public void awaitClose() throws InterruptedException {
        serverChannel.closeFuture().sync();
    }

    /**
     * Stops gracefully: reports not ready ({@code /ready} is 503 {@code draining}) and keeps serving normally for the
     * configured drain delay, so that load balancers polling it stop sending new clients; then stops accepting,
     * refuses new requests with SHUTTING_DOWN, lets requests and chunks in flight finish within the configured grace
     * period, tells every client SHUTTING_DOWN, then closes. Legacy connections, whose protocol has no way to say so,
     * are closed after the same grace. The operations port closes last. Idempotent; blocks for the delay and the
     * drain.
     */
    @Override
    public void close() {
        synchronized (closeLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        readiness.draining();
        boolean interrupted = false;
        if (config.drainDelayMillis() > 0) {
            log.info("not ready; serving {} ms more before draining, for load balancers to notice",
                    config.drainDelayMillis());
            try {
                Thread.sleep(config.drainDelayMillis()); // the delay itself: nothing to wait for but time
            } catch (InterruptedException e) {
                interrupted = true; // cut the delay short, but still drain with the grace period
            }
        }
        serverChannel.close().syncUninterruptibly();
        if (legacyChannel != null) {
            legacyChannel.close().syncUninterruptibly();
        }
        try {
            context.drain().start().get(config.shutdownGraceMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn("requests still in flight after the {} ms grace period; closing anyway",
                    config.shutdownGraceMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
        for (Channel c : connections) {
            ConnectionRecord record = ConnectionRecord.of(c.pipeline());
            if (record != null) {
                record.closing(ErrorCode.SHUTTING_DOWN.name());
            }
            c.writeAndFlush(new ErrorReply(0, ErrorCode.SHUTTING_DOWN, "the server is shutting down"))
                    .addListener(ChannelFutureListener.CLOSE);
        }
        connections.newCloseFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        legacyConnections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        context.uploads().ifPresent(UploadService::close);
        context.live().ifPresent(LiveStore::close);
        context.auth().ifPresent(Authenticator::close);
        context.tls().ifPresent(ServerTls::close);
        context.files().close();
        workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        blocking.shutdown();
        workerGroup.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (ops != null) {
            ops.close();
        }
        context.metrics().ifPresent(ServerMetrics::close);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
