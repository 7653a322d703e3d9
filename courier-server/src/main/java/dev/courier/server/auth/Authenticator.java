package dev.courier.server.auth;

import dev.courier.protocol.Secret;
import dev.courier.server.reload.ReloadOnChange;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's tokens ({@code serve --auth FILE}): the table in use, reloaded when the file changes or on SIGHUP
 * ({@link ReloadOnChange}), and the throttle of failed attempts. A bad file at start-up is an error naming
 * {@code FILE:LINE}; a bad file on reload is logged and the table in use kept.
 *
 * <p>Connections remember the hash of their token, not the token, and the {@link #generation()} of the table they
 * checked it against; when a reload makes a new table, their next request looks the hash up again
 * ({@link #lookup(byte[])}), so a token removed from the file stops working at its connections' next request and
 * changed scopes apply from then on. Tokens never reach a log line. Thread-safe: the table is one volatile
 * reference, swapped whole.
 */
public final class Authenticator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Authenticator.class);

    private final Path file;
    private final FailureThrottle throttle = new FailureThrottle();
    private volatile Table current;
    private ReloadOnChange watcher;

    /** A table and its generation, swapped together. */
    private record Table(TokenTable tokens, int generation) {
    }

    private Authenticator(Path file, TokenTable tokens) {
        this.file = file;
        this.current = new Table(tokens, 0);
    }

    /**
     * Loads {@code file} and watches it.
     *
     * @param pollMillis how often to look for a change, in milliseconds
     * @throws IOException when the file cannot be read or a line is bad (the message names FILE:LINE)
     */
    public static Authenticator start(Path file, long pollMillis) throws IOException {
        Authenticator a = new Authenticator(file, TokenTable.load(file));
        log.info("auth: {} tokens from {}", a.current.tokens().size(), file);
        a.watcher = ReloadOnChange.start("auth", List.of(file), pollMillis, a::reload);
        return a;
    }

    /** Reads the file again now; a bad file is logged and the table in use kept. Also what the watcher runs. */
    public void reload() {
        TokenTable fresh;
        try {
            fresh = TokenTable.load(file);
        } catch (IOException e) {
            log.error("auth: the token file is not valid, keeping the {} tokens in use: {}",
                    current.tokens().size(), e.getMessage());
            return;
        } catch (UncheckedIOException e) {
            log.error("auth: cannot read the token file, keeping the {} tokens in use: {}",
                    current.tokens().size(), e.getMessage());
            return;
        }
        Table old = current;
        current = new Table(fresh, old.generation() + 1);
        log.info("auth: token file reloaded: {} tokens (was {})", fresh.size(), old.tokens().size());
    }

    /** The entry of {@code token} in the table in use, or empty. */
    public Optional<TokenEntry> lookup(Secret token) {
        return current.tokens().lookup(token);
    }

    /** The entry whose token hashes to {@code sha256}, in the table in use, or empty. */
    public Optional<TokenEntry> lookup(byte[] sha256) {
        return current.tokens().lookup(sha256);
    }

    /** Counts up on every successful reload: a connection that saw another generation looks its token up again. */
    public int generation() {
        return current.generation();
    }

    public FailureThrottle throttle() {
        return throttle;
    }

    /** The watcher, for tests that trigger a reload as SIGHUP would. */
    public ReloadOnChange watcher() {
        return watcher;
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
    }
}
