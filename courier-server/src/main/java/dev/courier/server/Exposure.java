package dev.courier.server;

import java.net.InetAddress;
import java.util.Optional;

/**
 * Whether a server may listen where it was told to: on a loopback address anything goes (only this machine can
 * connect), on any other only with both TLS (nobody can read or change the traffic) and tokens (nobody unknown can
 * ask), or when the operator says {@code --insecure}. The same rule Redis applies in its protected mode. A pure
 * policy, so every combination is tested; {@code courier serve} prints the refusal and exits 2.
 */
public final class Exposure {
    private Exposure() {
    }

    /**
     * The one-line refusal for listening on {@code bind}, or empty when it is allowed.
     *
     * @param tls      TLS is on for the main port
     * @param auth     {@code --auth} is on
     * @param insecure the operator accepts the exposure ({@code --insecure})
     */
    public static Optional<String> refusal(InetAddress bind, boolean tls, boolean auth, boolean insecure) {
        if (bind.isLoopbackAddress() || insecure || (tls && auth)) {
            return Optional.empty();
        }
        String missing = !tls && !auth ? "both are off" : !tls ? "TLS is off" : "--auth is off";
        return Optional.of("refusing to listen on " + bind.getHostAddress() + ": a non-loopback address needs both "
                + "TLS (--tls-cert, --tls-key) and --auth, and " + missing + "; turn them on, bind to 127.0.0.1, or "
                + "give --insecure to serve anyway");
    }

    /**
     * The warning for a server that {@code --insecure} lets listen where {@link #refusal} would have refused it, or
     * empty: the operator asked for it, and the log should still say what it means.
     */
    public static Optional<String> insecureWarning(InetAddress bind, boolean tls, boolean auth, boolean insecure) {
        if (!insecure || refusal(bind, tls, auth, false).isEmpty()) {
            return Optional.empty();
        }
        String what = !tls && !auth
                ? "without TLS and --auth: anyone who reaches the port can read every served file (and upload, when "
                        + "uploads are on), in the clear"
                : !tls ? "without TLS: tokens and data cross the network in the clear"
                : "without --auth: anyone who reaches the port can read every served file (and upload, when uploads "
                        + "are on)";
        return Optional.of("warning: --insecure: serving on " + bind.getHostAddress() + " " + what);
    }

    /**
     * The warning for a legacy port on {@code bind}, or empty on loopback: the legacy protocol has neither TLS nor
     * tokens, so anyone who reaches it can read every file.
     */
    public static Optional<String> legacyWarning(InetAddress bind) {
        if (bind.isLoopbackAddress()) {
            return Optional.empty();
        }
        return Optional.of("warning: the legacy protocol listens on " + bind.getHostAddress() + ", which is not "
                + "loopback; it has no TLS and no tokens, so anyone who reaches it can read every served file");
    }
}
