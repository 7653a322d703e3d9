package dev.courier.client.internal;

import dev.courier.client.CourierException;
import dev.courier.protocol.ErrorCode;
import io.netty.handler.ssl.NotSslRecordException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Turns what a TLS engine throws into a {@code TLS_FAILED} {@link CourierException} whose message says what went
 * wrong and what to do: the server's certificate untrusted, for another name, or expired; the server wanting a
 * client certificate or refusing the one given; the server not speaking TLS at all. Both engines are read: the
 * JDK's exceptions carry the certificate checks' own exceptions as causes, OpenSSL's carry them or name the TLS
 * alert in the message. Stateless.
 */
final class TlsFailures {
    private TlsFailures() {
    }

    /** The failure for {@code cause}, or null when it is not a TLS failure. */
    static CourierException of(Throwable cause, SocketAddress server) {
        if (!isTls(cause)) {
            return null;
        }
        return new CourierException(ErrorCode.TLS_FAILED, "TLS with " + address(server) + " failed: " + advice(cause), cause);
    }

    private static String address(SocketAddress a) {
        return a instanceof InetSocketAddress i ? i.getHostString() + ":" + i.getPort() : String.valueOf(a);
    }

    private static boolean isTls(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SSLException || c instanceof NotSslRecordException) {
                return true;
            }
        }
        return false;
    }

    private static String advice(Throwable t) {
        String text = allMessages(t);
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof NotSslRecordException) {
                return "the server does not speak TLS on this port; connect without --tls/--ca, or to its TLS port";
            }
            if (c instanceof CertificateExpiredException || c instanceof CertPathValidatorException v
                    && v.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
                return "the server's certificate has expired (" + c.getMessage() + "); the server must renew it";
            }
        }
        if (text.contains("certificate_required")) {
            return "the server requires a client certificate signed by a CA it trusts; give one with --cert FILE "
                    + "--key FILE (a certificate of another CA is not even offered)";
        }
        if (text.contains("unknown_ca") || text.contains("bad_certificate") || text.contains("certificate_unknown")
                || text.contains("certificate_expired") || text.contains("access_denied")) {
            return "the server refused this client's certificate (not signed by a CA it trusts, or expired); "
                    + "ask its operator for one it accepts";
        }
        if (text.contains("no subject alternative") || text.contains("no name matching")) {
            return "the server's certificate is not for the address dialled (" + firstLine(t) + "); connect by a "
                    + "name or IP address the certificate lists, or have it reissued with this one";
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof CertPathBuilderException || c instanceof CertPathValidatorException) {
                return "the server's certificate is not signed by a CA this client trusts; give the CA's "
                        + "certificate with --ca FILE";
            }
        }
        if (text.contains("pkix") || text.contains("certificate_verify_failed") || text.contains("unable to find valid")) {
            return "the server's certificate is not signed by a CA this client trusts; give the CA's certificate "
                    + "with --ca FILE";
        }
        return firstLine(t);
    }

    private static String allMessages(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c.getMessage()).append('\n');
        }
        return b.toString().toLowerCase(Locale.ROOT);
    }

    private static String firstLine(Throwable t) {
        Throwable deepest = t;
        while (deepest.getCause() != null) {
            deepest = deepest.getCause();
        }
        return String.valueOf(deepest.getMessage());
    }
}
