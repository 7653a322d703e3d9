package dev.courier.server.tls;

import dev.courier.server.reload.ReloadOnChange;
import dev.courier.transport.tls.PemFiles;
import dev.courier.transport.tls.TlsContexts;
import dev.courier.transport.tls.TlsEngine;
import dev.courier.transport.tls.TlsIdentity;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server's TLS: the context new handshakes use, reloaded without a restart. When the certificate, key or client
 * CA file changes (or on SIGHUP; see {@link ReloadOnChange}) the files are read and checked again: a good new set
 * becomes the context of every handshake from then on, while connections already open keep the engine they
 * handshook with; a bad one (unparsable, a key that is not the certificate's, an expired certificate) is logged and
 * the old context kept. A certificate that expires within {@link #EXPIRY_WARNING} is warned about at start-up, on
 * each reload and daily.
 *
 * <p>An expired certificate at start-up is refused: every client would fail its handshake, so the server would
 * listen only to turn everyone away; refusing says why at once.
 *
 * <p>Thread-safe: the context is read by every event loop (a volatile field) and replaced on the watcher's thread.
 */
public final class ServerTls implements AutoCloseable {
    /** The ACME clients' own renewal margin is 30 days; 14 leaves two weeks to notice a renewal that failed. */
    public static final Duration EXPIRY_WARNING = Duration.ofDays(14);
    private static final Logger log = LoggerFactory.getLogger(ServerTls.class);

    private final TlsFiles files;
    private final TlsEngine engine;
    private final Clock clock;
    private volatile Loaded current;
    private volatile CompletableFuture<Boolean> nextReload = new CompletableFuture<>();
    private ReloadOnChange watcher;
    private ScheduledFuture<?> daily;

    /** A context and the identity it presents. */
    private record Loaded(SslContext context, TlsIdentity identity) {
    }

    private ServerTls(TlsFiles files, TlsEngine engine, Clock clock, Loaded first) {
        this.files = files;
        this.engine = engine;
        this.clock = clock;
        this.current = first;
    }

    /**
     * Loads the files, refusing an expired certificate, and starts watching them.
     *
     * @param scheduler runs the daily expiry check (a few comparisons; an event loop will do)
     * @throws IOException when a file cannot be read or parsed, the key is not the certificate's, or the
     *                     certificate has expired
     */
    public static ServerTls start(TlsFiles files, ScheduledExecutorService scheduler, Clock clock)
            throws IOException {
        TlsEngine engine = TlsEngine.best();
        if (engine == TlsEngine.JDK) {
            log.info("OpenSSL is not available ({}); TLS uses the JDK's engine", TlsEngine.whyNotOpenSsl());
        }
        ServerTls tls = new ServerTls(files, engine, clock, load(files, engine, clock));
        tls.warnIfExpiring();
        tls.watcher = ReloadOnChange.start("tls", files.all(), ReloadOnChange.DEFAULT_POLL_MILLIS, tls::reload);
        tls.daily = scheduler.scheduleAtFixedRate(tls::warnIfExpiring, 1, 1, TimeUnit.DAYS);
        return tls;
    }

    private static Loaded load(TlsFiles files, TlsEngine engine, Clock clock) throws IOException {
        TlsIdentity identity = TlsIdentity.load(files.certChain(), files.key());
        Instant now = clock.instant();
        if (identity.notAfter().isBefore(now)) {
            throw new IOException("the certificate in " + files.certChain() + " expired at " + identity.notAfter()
                    + "; renew it (docs/security.md)");
        }
        if (identity.leaf().getNotBefore().toInstant().isAfter(now)) {
            throw new IOException("the certificate in " + files.certChain() + " is not valid before "
                    + identity.leaf().getNotBefore().toInstant() + " (is the clock right?)");
        }
        SslContext context = TlsContexts.server(engine, identity,
                files.clientCa().isPresent() ? Optional.of(PemFiles.certificates(files.clientCa().get()))
                        : Optional.empty());
        return new Loaded(context, identity);
    }

    /**
     * Reads the files again: a good set replaces the context for new handshakes, a bad one is logged and the old
     * one kept. Runs on the watcher's thread (or a test's).
     *
     * @return whether the new files are in use
     */
    public synchronized boolean reload() {
        boolean ok;
        try {
            Loaded loaded = load(files, engine, clock);
            current = loaded;
            log.info("TLS reloaded: new handshakes present {}", loaded.identity().describe());
            warnIfExpiring();
            ok = true;
        } catch (IOException | RuntimeException e) {
            log.error("TLS files could not be reloaded; new handshakes keep presenting {}: {}",
                    current.identity().describe(), e.getMessage());
            ok = false;
        }
        CompletableFuture<Boolean> done = nextReload;
        nextReload = new CompletableFuture<>();
        done.complete(ok);
        return ok;
    }

    /** Completes with {@link #reload()}'s answer when the next reload (a change of the files, SIGHUP) has run. */
    public CompletableFuture<Boolean> nextReload() {
        return nextReload;
    }

    private void warnIfExpiring() {
        TlsIdentity identity = current.identity();
        Duration left = Duration.between(clock.instant(), identity.notAfter());
        if (left.compareTo(EXPIRY_WARNING) < 0) {
            log.warn("the TLS certificate expires in {} days ({}); renew it and replace {} (it is reloaded "
                    + "without a restart)", left.toDays(), identity.describe(), files.certChain());
        }
    }

    /** A new engine from the current context, for one connection's handshake. */
    public SslHandler newHandler(ByteBufAllocator alloc) {
        SslHandler handler = current.context().newHandler(alloc);
        handler.setHandshakeTimeoutMillis(files.handshakeTimeoutMillis());
        return handler;
    }

    /** The certificate and key new handshakes present. */
    public TlsIdentity identity() {
        return current.identity();
    }

    public TlsFiles files() {
        return files;
    }

    /** "TLS 1.3 via OpenSSL (BoringSSL)" or "TLS 1.3 via the JDK", for the start-up line. */
    public String engineDescription() {
        return engine.description() + (files.clientCa().isPresent() ? ", client certificates required" : "");
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
        if (daily != null) {
            daily.cancel(false);
        }
    }
}
