package dev.courier.cli;

import dev.courier.cli.common.BundledData;
import dev.courier.cli.common.LogSetup;
import dev.courier.cli.common.Units;
import dev.courier.protocol.FrameDescriptor;
import dev.courier.server.CourierServer;
import dev.courier.server.Exposure;
import dev.courier.server.ServerConfig;
import dev.courier.server.live.LiveConfig;
import dev.courier.server.limits.ClientLimits;
import dev.courier.server.tls.TlsFiles;
import dev.courier.server.uploads.SharedUploads;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve data points and files until stopped (Ctrl-C or SIGTERM).")
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = {"-p", "--port"}, paramLabel = "N", defaultValue = "7420",
            description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--data", paramLabel = "DIR",
            description = "Directory of *.csv recordings (default: the bundled data set).")
    Path data;

    @Option(names = "--files", paramLabel = "DIR",
            description = "Directory served read-only to file requests (default: the data directory).")
    Path files;

    @Option(names = "--io-threads", paramLabel = "N", defaultValue = "0",
            description = "Event loop threads; 0 means one per core (default: ${DEFAULT-VALUE}).")
    int ioThreads;

    @Option(names = "--max-chunk", paramLabel = "BYTES", defaultValue = "" + ServerConfig.DEFAULT_MAX_CHUNK_BYTES,
            converter = Units.IntBytes.class,
            description = "Largest chunk served in one frame (default: ${DEFAULT-VALUE}). " + Units.SIZE_HELP)
    int maxChunk;

    @Option(names = "--legacy-port", paramLabel = "N",
            description = "Also serve the legacy protocol on this port, same address; 0 picks a free one "
                    + "(default: off).")
    Integer legacyPort;

    @Option(names = "--legacy-max-chunk", paramLabel = "BYTES",
            defaultValue = "" + ServerConfig.DEFAULT_LEGACY_MAX_CHUNK_BYTES,
            converter = Units.IntBytes.class,
            description = "Largest chunk one legacy FILE request may ask for; a larger request closes its "
                    + "connection (default: ${DEFAULT-VALUE}). " + Units.SIZE_HELP)
    int legacyMaxChunk;

    @Option(names = "--upload-dir", paramLabel = "DIR",
            description = "Accept uploads into this directory (default: uploads are refused).")
    Path uploadDir;

    @Option(names = "--ping-interval-ms", paramLabel = "MILLIS",
            defaultValue = "" + ServerConfig.DEFAULT_PING_INTERVAL_MILLIS,
            converter = Units.Millis.class,
            description = "Ping a client silent this long; 0 for never (default: ${DEFAULT-VALUE}). "
                    + Units.DURATION_HELP)
    long pingIntervalMillis;

    @Option(names = "--idle-timeout-ms", paramLabel = "MILLIS",
            defaultValue = "" + ServerConfig.DEFAULT_IDLE_TIMEOUT_MILLIS,
            converter = Units.Millis.class,
            description = "Close a connection that sends nothing, not even a reply to a ping, this long; 0 for "
                    + "never (default: ${DEFAULT-VALUE}). " + Units.DURATION_HELP)
    long idleTimeoutMillis;

    @Option(names = "--shutdown-grace-ms", paramLabel = "MILLIS",
            defaultValue = "" + ServerConfig.DEFAULT_SHUTDOWN_GRACE_MILLIS,
            converter = Units.Millis.class,
            description = "On SIGTERM, how long requests in flight may take to finish (default: ${DEFAULT-VALUE}). "
                    + Units.DURATION_HELP)
    long shutdownGraceMillis;

    @Option(names = "--reuse-port",
            description = "Listen with SO_REUSEPORT, so several server processes can share the port; the kernel "
                    + "spreads new connections over them. Also how a new server takes over from one that is "
                    + "draining on SIGTERM. Needs the native epoll transport (Linux).")
    boolean reusePort;

    @Option(names = "--max-connections", paramLabel = "N", defaultValue = "0",
            description = "Connections this process holds at once; one more is told TOO_MANY_CONNECTIONS and "
                    + "closed. 0 for no limit (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--write-timeout-ms", paramLabel = "MILLIS",
            defaultValue = "" + ServerConfig.DEFAULT_WRITE_TIMEOUT_MILLIS,
            converter = Units.Millis.class,
            description = "Close a connection, on either port, whose client reads nothing of what waits for it this "
                    + "long; 0 for never (default: ${DEFAULT-VALUE}). " + Units.DURATION_HELP)
    long writeTimeoutMillis;

    @Option(names = "--legacy-max-connections", paramLabel = "N",
            defaultValue = "" + ServerConfig.DEFAULT_LEGACY_MAX_CONNECTIONS,
            description = "Connections the legacy port holds at once, apart from --max-connections; one more is "
                    + "closed at once. 0 for no limit (default: ${DEFAULT-VALUE}).")
    int legacyMaxConnections;

    @Option(names = "--max-upload-bytes", paramLabel = "BYTES",
            defaultValue = "" + ServerConfig.DEFAULT_MAX_UPLOAD_BYTES,
            converter = Units.Bytes.class,
            description = "Largest file one upload may declare; a larger one is refused with UPLOAD_TOO_LARGE "
                    + "(default: ${DEFAULT-VALUE}, 16 GiB). " + Units.SIZE_HELP)
    long maxUploadBytes;

    @Option(names = "--upload-min-free-bytes", paramLabel = "BYTES",
            defaultValue = "" + ServerConfig.DEFAULT_UPLOAD_MIN_FREE_BYTES,
            converter = Units.Bytes.class,
            description = "Free space uploads leave on the upload directory's file system: an upload that, with "
                    + "the bytes still due to the other open uploads, would leave less is refused with DISK_FULL "
                    + "(default: ${DEFAULT-VALUE}, 1 GiB). " + Units.SIZE_HELP)
    long uploadMinFreeBytes;

    @Option(names = "--max-uploads-per-connection", paramLabel = "N",
            defaultValue = "" + ServerConfig.DEFAULT_MAX_UPLOADS_PER_CONNECTION,
            description = "Uploads one connection may hold open at once; one more is refused with TOO_MANY_UPLOADS "
                    + "(default: ${DEFAULT-VALUE}).")
    int maxUploadsPerConnection;

    @Option(names = "--max-streams-per-connection", paramLabel = "N",
            defaultValue = "" + ServerConfig.DEFAULT_MAX_STREAMS_PER_CONNECTION,
            description = "Streaming reads one connection may hold open at once; one more is refused with "
                    + "TOO_MANY_STREAMS (default: ${DEFAULT-VALUE}).")
    int maxStreamsPerConnection;

    @Option(names = "--max-uploads", paramLabel = "N", defaultValue = "" + ServerConfig.DEFAULT_MAX_UPLOADS,
            description = "Uploads the server keeps open at once; when all are held by open connections, one more "
                    + "is refused with TOO_MANY_UPLOADS (default: ${DEFAULT-VALUE}).")
    int maxUploads;

    @Option(names = "--upload-idle-close-ms", paramLabel = "MILLIS",
            defaultValue = "" + ServerConfig.DEFAULT_UPLOAD_IDLE_CLOSE_MILLIS,
            converter = Units.Millis.class,
            description = "Close the files of an upload not written for this long, until its next write "
                    + "(default: ${DEFAULT-VALUE}). " + Units.DURATION_HELP)
    long uploadIdleCloseMillis;

    @Option(names = "--upload-expiry-ms", paramLabel = "MILLIS",
            defaultValue = "" + ServerConfig.DEFAULT_UPLOAD_EXPIRY_MILLIS,
            converter = Units.Millis.class,
            description = "Drop an upload untouched this long and delete its part file and journal; leftovers this "
                    + "old in the upload directory are deleted at start-up too (default: ${DEFAULT-VALUE}, a day). "
                    + Units.DURATION_HELP)
    long uploadExpiryMillis;

    @Option(names = "--max-open-files", paramLabel = "N", defaultValue = "" + ServerConfig.DEFAULT_MAX_OPEN_FILES,
            description = "Served files kept open while no request reads them, one descriptor per file shared by "
                    + "every connection; the least recently used beyond N are closed (default: ${DEFAULT-VALUE}).")
    int maxOpenFiles;

    @Option(names = "--auth", paramLabel = "FILE",
            description = "Require a token: FILE has one line per token, NAME SCOPES SHA256HEX (`courier token new` "
                    + "prints them; '#' starts a comment); reloaded when it changes and on SIGHUP (default: off).")
    Path authFile;

    @Option(names = "--insecure",
            description = "Serve on a non-loopback address without TLS and --auth: anyone who reaches the port can "
                    + "read every file and upload (default: such an address is refused).")
    boolean insecure;

    @Option(names = "--legacy-bind", paramLabel = "ADDR",
            description = "Address of the legacy port, which has neither TLS nor tokens (default: 127.0.0.1; a "
                    + "warning when it is not loopback).")
    String legacyBind;

    @Option(names = "--max-connections-per-ip", paramLabel = "N",
            description = "Connections one client address may hold; one more is told TOO_MANY_CONNECTIONS. 0 for no "
                    + "limit (default: " + PublicDefaults.CONNECTIONS_PER_ADDRESS + " on a non-loopback address, "
                    + "none on loopback).")
    Integer maxConnectionsPerIp;

    @Option(names = "--rate-limit", paramLabel = "REQUESTS_PER_SECOND",
            description = "Requests per second per token, or per address without one (a POINT_BATCH counts one per "
                    + "64 points); over it a request gets RATE_LIMITED with the time to wait. 0 for no limit "
                    + "(default: " + PublicDefaults.REQUESTS_PER_SECOND + " on a non-loopback address, none on "
                    + "loopback).")
    Integer rateLimit;

    @Option(names = "--rate-burst", paramLabel = "N",
            description = "Requests that may come at once above the rate after a quiet spell (default: twice the "
                    + "rate).")
    Integer rateBurst;

    @Option(names = "--max-in-flight", paramLabel = "N",
            description = "Requests one connection may have in flight (file reads, digests, listings, uploads) "
                    + "before the server stops reading from it; 0 for the server's own cap of "
                    + ServerConfig.DEFAULT_MAX_FILE_OPS_IN_FLIGHT + " (default: " + PublicDefaults.IN_FLIGHT
                    + " on a non-loopback address, " + ServerConfig.DEFAULT_MAX_FILE_OPS_IN_FLIGHT + " on loopback).")
    Integer maxInFlight;

    /**
     * Limits per client when the address is not loopback and the option is not given: a public port has clients
     * the operator does not know, and each must not be able to take the server from the others. Loopback gets
     * none, so local benchmarks (bench/compare.sh: 1,000 connections from one address at about a million
     * requests a second) are not throttled; docs/robustness.md has the reasons for each value.
     */
    static final class PublicDefaults {
        /** A browser opens 6 per host, a NAT of an office a few dozen; 64 leaves room and stops a flood. */
        static final int CONNECTIONS_PER_ADDRESS = 64;
        /** Far above a person or a script, about 1 % of what one core answers (docs/benchmarks.md). */
        static final int REQUESTS_PER_SECOND = 10_000;
        /** Half the server's own cap: a download's lanes fit, a pipelining client holds half the files. */
        static final int IN_FLIGHT = 16;

        private PublicDefaults() {
        }
    }

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "Speak only TLS 1.3 on the main port, "
            + "presenting this PEM certificate chain (leaf first); needs --tls-key. Reloaded when it changes or on "
            + "SIGHUP.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "The TLS certificate's private key (PEM, "
            + "unencrypted PKCS#8).")
    Path tlsKey;

    @Option(names = "--tls-client-ca", paramLabel = "FILE", description = "Require client certificates signed by "
            + "a CA in this PEM file (mutual TLS); needs --tls-cert.")
    Path tlsClientCa;

    @Option(names = "--metrics", paramLabel = "HOST:PORT", description = "Serve operations HTTP on this address: "
            + "GET /metrics (Prometheus text), /health (200 while the process runs) and /ready (200 once serving, 503 "
            + "while starting and from the moment a shutdown starts), for Prometheus, load balancers and "
            + "orchestrators; PORT alone means 127.0.0.1:PORT, 0 picks a free port (default: off, and no metrics "
            + "are kept).")
    String metrics;

    @Option(names = "--drain-delay", paramLabel = "DURATION", defaultValue = "0s", converter = Units.Millis.class,
            description = "On SIGTERM, report not ready at once (/ready is 503) and keep serving normally this long, "
                    + "so load balancers polling /ready stop sending new clients; then drain as usual. Units ms, s, "
                    + "m, h; a plain number is milliseconds (default: ${DEFAULT-VALUE}).")
    long drainDelayMillis;

    @Option(names = "--log-level", paramLabel = "LEVEL", description = "Log at LEVEL (off, error, warn, info, "
            + "debug, trace): Courier's loggers and the access log (one line per connection closed and per file "
            + "transfer, logger " + LogSetup.ACCESS_LOGGER + ", at info). LOGGER=LEVEL sets one logger, for example "
            + LogSetup.ACCESS_LOGGER + "=off; repeatable, applied in order (default: warn).")
    List<String> logLevels = List.of();

    @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text, or json: one JSON object per line, from logback's JsonEncoder (default: "
                    + "${DEFAULT-VALUE}).")
    String logFormat;

    @Option(names = "--config", paramLabel = "FILE", description = "Read options from FILE: one KEY = VALUE per "
            + "line, KEY a long option without its dashes (port = 7420), '#' starts a comment; true or false for an "
            + "option without a value. Options on the command line win.")
    Path configFile;

    /** Set once the config file's options are in: the second parse must not read it again. */
    private boolean configApplied;

    @Option(names = "--shared-uploads",
            description = "The upload directory is shared with other nodes (a fleet): lock every upload across them "
                    + "with a lease file next to its part file (default: this node is alone on it).")
    boolean sharedUploads;

    @Option(names = "--node-id", paramLabel = "NAME",
            description = "This node's name in its upload locks (default: the host name).")
    String nodeId;

    @Option(names = "--upload-lease-ms", paramLabel = "MILLIS",
            defaultValue = "" + SharedUploads.DEFAULT_LEASE_MILLIS, converter = Units.Millis.class,
            description = "With --shared-uploads: how long an upload lock holds unrenewed, so how long after a "
                    + "node's crash its uploads can resume through another, milliseconds (default: "
                    + "${DEFAULT-VALUE}). " + Units.DURATION_HELP)
    long uploadLeaseMillis;

    @Option(names = "--live", description = "Take live records: APPEND (courier append) and SUBSCRIBE (courier "
            + "tail), kept durable in --live-dir.")
    boolean live;

    @Option(names = "--live-dir", paramLabel = "DIR", description = "Where live records are kept, one append-only "
            + "file each and a shared log (default: ~/.local/share/courier/live).")
    Path liveDir;

    @Option(names = "--live-max-records", paramLabel = "N", defaultValue = "" + LiveConfig.DEFAULT_MAX_RECORDS,
            description = "Live records the server holds (default: ${DEFAULT-VALUE}).")
    int liveMaxRecords;

    @Option(names = "--live-max-append-rows", paramLabel = "N", defaultValue = "" + LiveConfig.DEFAULT_MAX_APPEND_ROWS,
            description = "Rows one APPEND may carry (default: ${DEFAULT-VALUE}).")
    int liveMaxAppendRows;

    @Option(names = "--live-subscriber-queue-bytes", paramLabel = "BYTES",
            defaultValue = "" + LiveConfig.DEFAULT_SUBSCRIBER_QUEUE_BYTES, converter = Units.Bytes.class,
            description = "Appended bytes waiting for one subscriber past which it gets SLOW_CONSUMER "
                    + "(default: ${DEFAULT-VALUE}). " + Units.SIZE_HELP)
    long liveSubscriberQueueBytes;

    @Option(names = "--live-log-checkpoint-bytes", paramLabel = "BYTES",
            defaultValue = "" + LiveConfig.DEFAULT_LOG_CHECKPOINT_BYTES, converter = Units.Bytes.class,
            description = "Size of the live records' shared log past which a checkpoint syncs the record files and "
                    + "deletes it; bounds the replay after a crash (default: ${DEFAULT-VALUE}). " + Units.SIZE_HELP)
    long liveLogCheckpointBytes;

    /** The live records' settings, with {@code --live}. */
    private Optional<LiveConfig> liveConfig() {
        if (!live) {
            return Optional.empty();
        }
        Path dir = liveDir != null ? liveDir
                : Path.of(System.getProperty("user.home"), ".local", "share", "courier", "live");
        try {
            return Optional.of(new LiveConfig(dir, liveMaxRecords, liveMaxAppendRows, liveSubscriberQueueBytes,
                    liveLogCheckpointBytes));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--live-max-records, --live-max-append-rows, "
                    + "--live-subscriber-queue-bytes and --live-log-checkpoint-bytes must be at least 1");
        }
    }

    @Override
    public Integer call() throws Exception {
        if (configFile != null && !configApplied) {
            applyConfigFile();
        }
        LogSetup.Format format = switch (logFormat.strip().toLowerCase(Locale.ROOT)) {
            case "text" -> LogSetup.Format.TEXT;
            case "json" -> LogSetup.Format.JSON;
            default -> throw new ParameterException(spec.commandLine(), "--log-format must be text or json, not '"
                    + logFormat + "'");
        };
        try {
            LogSetup.apply(logLevels, format);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--log-level: " + e.getMessage());
        }
        if ((tlsCert == null) != (tlsKey == null) || (tlsClientCa != null && tlsCert == null)) {
            throw new ParameterException(spec.commandLine(), "--tls-cert and --tls-key go together, and "
                    + "--tls-client-ca needs them");
        }
        if (maxConnections < 0) {
            throw new ParameterException(spec.commandLine(), "--max-connections must be 0 (no limit) or more, not "
                    + maxConnections);
        }
        if (legacyMaxConnections < 0) {
            throw new ParameterException(spec.commandLine(), "--legacy-max-connections must be 0 (no limit) or "
                    + "more, not " + legacyMaxConnections);
        }
        if (writeTimeoutMillis < 0) {
            throw new ParameterException(spec.commandLine(), "--write-timeout-ms must be 0 (never) or more, not "
                    + writeTimeoutMillis);
        }
        if (maxChunk < FrameDescriptor.MIN_CHUNK_CAP_BYTES) {
            throw new ParameterException(spec.commandLine(), "--max-chunk must be at least "
                    + FrameDescriptor.MIN_CHUNK_CAP_BYTES + " bytes (clients refuse a server whose chunks are smaller "
                    + "than a page), not " + maxChunk);
        }
        if (maxOpenFiles < 0) {
            throw new ParameterException(spec.commandLine(), "--max-open-files must be 0 or more, not "
                    + maxOpenFiles);
        }
        if (legacyPort != null && (legacyPort < 0 || legacyPort > 65535)) {
            throw new ParameterException(spec.commandLine(), "--legacy-port must be 0 to 65535, not " + legacyPort);
        }
        if (uploadLeaseMillis < 3) {
            throw new ParameterException(spec.commandLine(), "--upload-lease-ms must be at least 3, not "
                    + uploadLeaseMillis);
        }
        if (maxUploadBytes < 1 || uploadMinFreeBytes < 0 || maxUploadsPerConnection < 1 || maxUploads < 1
                || uploadIdleCloseMillis < 1 || uploadExpiryMillis < 1) {
            throw new ParameterException(spec.commandLine(), "--max-upload-bytes, --max-uploads-per-connection, "
                    + "--max-uploads, --upload-idle-close-ms and --upload-expiry-ms must be at least 1, and "
                    + "--upload-min-free-bytes at least 0");
        }
        if (maxStreamsPerConnection < 1) {
            throw new ParameterException(spec.commandLine(), "--max-streams-per-connection must be at least 1, not "
                    + maxStreamsPerConnection);
        }
        if (legacyMaxChunk < 1) {
            throw new ParameterException(spec.commandLine(), "--legacy-max-chunk must be at least 1 byte, not "
                    + legacyMaxChunk);
        }
        InetAddress bindAddress = address(bind, "--bind");
        boolean tlsOn = tlsCert != null;
        Optional<String> refusal = Exposure.refusal(bindAddress, tlsOn, authFile != null, insecure);
        if (refusal.isPresent()) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("courier: " + refusal.get());
            err.flush();
            return 2;
        }
        InetAddress legacyAddress = legacyBind != null ? address(legacyBind, "--legacy-bind")
                : InetAddress.getLoopbackAddress();
        ClientLimits limits = limits(bindAddress.isLoopbackAddress());
        Path dataDir = data != null ? data : BundledData.locate();
        Path root = files != null ? files : dataDir;
        ServerConfig config = ServerConfig.of(new InetSocketAddress(bind, port), dataDir, root).toBuilder()
                .ioThreads(ioThreads)
                .maxChunkBytes(maxChunk)
                .legacyPort(legacyPort == null ? OptionalInt.empty() : OptionalInt.of(legacyPort))
                .legacyMaxChunkBytes(legacyMaxChunk)
                .uploadDir(Optional.ofNullable(uploadDir))
                .pingIntervalMillis(pingIntervalMillis)
                .idleTimeoutMillis(idleTimeoutMillis)
                .shutdownGraceMillis(shutdownGraceMillis)
                .reusePort(reusePort)
                .maxConnections(maxConnections)
                .writeTimeoutMillis(writeTimeoutMillis)
                .legacyMaxConnections(legacyMaxConnections)
                .maxUploadBytes(maxUploadBytes)
                .uploadMinFreeBytes(uploadMinFreeBytes)
                .maxUploadsPerConnection(maxUploadsPerConnection)
                .maxUploads(maxUploads)
                .uploadIdleCloseMillis(uploadIdleCloseMillis)
                .uploadExpiryMillis(uploadExpiryMillis)
                .maxOpenFiles(maxOpenFiles)
                .maxStreamsPerConnection(maxStreamsPerConnection)
                .authFile(Optional.ofNullable(authFile))
                .limits(limits)
                .legacyBindAddress(Optional.of(legacyAddress))
                .tls(tlsCert == null ? Optional.empty()
                        : Optional.of(new TlsFiles(tlsCert, tlsKey, Optional.ofNullable(tlsClientCa))))
                .metrics(Optional.ofNullable(metrics).map(this::metricsAddress))
                .drainDelayMillis(drainDelayMillis)
                .sharedUploads(sharedUploads ? Optional.of(new SharedUploads(nodeId(), uploadLeaseMillis))
                        : Optional.empty())
                .live(liveConfig())
                .build();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Exposure.insecureWarning(bindAddress, tlsOn, authFile != null, insecure)
                .ifPresent(w -> err.println("courier: " + w));
        if (legacyPort != null) {
            Exposure.legacyWarning(legacyAddress).ifPresent(w -> err.println("courier: " + w));
        }
        CourierServer server = start(config);
        for (String problem : server.loadProblems()) {
            err.println("courier: skipped " + problem);
        }
        err.flush();
        server.notReady().thenRun(() -> {
            err.println(server.config().drainDelayMillis() > 0
                    ? "courier: not ready; serving " + server.config().drainDelayMillis() + " ms more, then draining"
                    : "courier: not ready; draining");
            err.flush();
        });
        Thread hook = new Thread(() -> {
            server.close();
            err.println("courier: stopped");
            err.flush();
        }, "courier-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.printf("courier: serving %d records from %s and files from %s on %s%s%s%s%s%s (%s%s)%n",
                server.recordings().size(), dataDir, root, hostPort(server.localAddress()),
                server.legacyAddress().map(a -> ", legacy protocol on " + hostPort(a)).orElse(""),
                server.metricsAddress().map(a -> ", operations HTTP on " + hostPort(a)).orElse(""),
                uploadDir == null ? "" : ", uploads into " + uploadDir,
                authFile == null ? "" : ", tokens from " + authFile,
                server.config().live().map(l -> ", live records in " + l.dir()).orElse(""),
                server.transport().name().toLowerCase(),
                server.tls().map(t -> ", " + t.engineDescription()).orElse(""));
        out.flush();
        server.awaitClose();
        return 0;
    }

    /** Starts the server; a port already taken is named as such, not left to the socket's words. */
    private CourierServer start(ServerConfig config) throws IOException, InterruptedException {
        try {
            return CourierServer.start(config);
        } catch (IOException e) {
            String m = String.valueOf(e.getMessage());
            if (!(e instanceof BindException) && !m.contains("Address already in use")) {
                throw e;
            }
            throw new IllegalStateException("port " + port + (legacyPort == null ? "" : " or legacy port "
                    + legacyPort) + " on " + bind + " is in use (another server?); choose another with --port, "
                    + "or 0 for a free one");
        }
    }

    /**
     * Parses this command again with the config file's options before the command line's, so that the command line
     * wins: a single-valued option given twice keeps its last value, a repeated one is applied in order.
     */
    private void applyConfigFile() {
        CommandLine current = spec.commandLine();
        List<String> args = new ArrayList<>(ConfigFile.arguments(configFile, current,
                () -> new CommandLine(new ServeCommand())));
        List<String> original = current.getParseResult().originalArgs();
        int serve = original.indexOf(current.getCommandName());
        args.addAll(serve < 0 ? original : original.subList(serve + 1, original.size()));
        configApplied = true;
        CommandLine again = new CommandLine(this).setOverwrittenOptionsAllowed(true);
        again.setOut(current.getOut());
        again.setErr(current.getErr());
        again.parseArgs(args.toArray(String[]::new));
    }

    private InetAddress address(String host, String option) {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new ParameterException(spec.commandLine(), option + ": unknown address '" + host + "'");
        }
    }

    /** {@code --metrics}: HOST:PORT, [IPv6]:PORT, or PORT alone for loopback. */
    private InetSocketAddress metricsAddress(String text) {
        int colon = text.lastIndexOf(':');
        String host = colon < 0 ? "127.0.0.1" : text.substring(0, colon).replace("[", "").replace("]", "");
        String portText = text.substring(colon + 1);
        int metricsPort;
        try {
            metricsPort = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            metricsPort = -1;
        }
        if (metricsPort < 0 || metricsPort > 65535 || host.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--metrics must be HOST:PORT or PORT (0 to 65535), not '"
                    + text + "'");
        }
        return new InetSocketAddress(address(host, "--metrics"), metricsPort);
    }

    /** The limits per client: each as given, or its default for a public or a loopback address. */
    private ClientLimits limits(boolean loopback) {
        int perAddress = or(maxConnectionsPerIp, loopback ? 0 : PublicDefaults.CONNECTIONS_PER_ADDRESS);
        int rate = or(rateLimit, loopback ? 0 : PublicDefaults.REQUESTS_PER_SECOND);
        int inFlight = or(maxInFlight, loopback ? 0 : PublicDefaults.IN_FLIGHT);
        if (perAddress < 0 || rate < 0 || inFlight < 0 || (rateBurst != null && rateBurst < 1)) {
            throw new ParameterException(spec.commandLine(), "--max-connections-per-ip, --rate-limit and "
                    + "--max-in-flight must be 0 (no limit) or more, and --rate-burst at least 1");
        }
        if (rateBurst != null && rate == 0) {
            throw new ParameterException(spec.commandLine(), "--rate-burst needs a rate (--rate-limit)");
        }
        int burst = rate == 0 ? 0 : rateBurst != null ? rateBurst : (int) Math.min(Integer.MAX_VALUE, 2L * rate);
        return new ClientLimits(perAddress, rate, burst, inFlight);
    }

    private static int or(Integer given, int otherwise) {
        return given != null ? given : otherwise;
    }

    static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    /** The --node-id given, or this host's name (a pod's name on Kubernetes). */
    private String nodeId() throws UnknownHostException {
        return nodeId != null ? nodeId : InetAddress.getLocalHost().getHostName();
    }
}
