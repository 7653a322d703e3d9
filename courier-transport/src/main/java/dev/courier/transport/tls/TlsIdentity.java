package dev.courier.transport.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * A certificate chain (leaf first) and the private key of its leaf, checked to belong together: what one side of a
 * TLS connection presents. Loading one proves the key signs what the leaf's public key verifies, because neither
 * engine says so before the first handshake fails. Immutable.
 */
public record TlsIdentity(List<X509Certificate> chain, PrivateKey key) {
    private static final byte[] PROBE = "courier: does this key belong to this certificate?"
            .getBytes(StandardCharsets.US_ASCII);

    public TlsIdentity {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a chain needs its leaf certificate");
        }
    }

    /**
     * Reads and checks a pair of PEM files.
     *
     * @throws IOException when a file cannot be read or parsed, or the key is not the leaf certificate's
     */
    public static TlsIdentity load(Path certChainFile, Path keyFile) throws IOException {
        List<X509Certificate> chain = PemFiles.certificates(certChainFile);
        PrivateKey key = PemFiles.privateKey(keyFile);
        if (!matches(chain.getFirst(), key)) {
            throw new IOException("the private key in " + keyFile + " does not belong to the certificate in "
                    + certChainFile + " (" + chain.getFirst().getSubjectX500Principal() + ")");
        }
        return new TlsIdentity(chain, key);
    }

    public X509Certificate leaf() {
        return chain.getFirst();
    }

    public Instant notAfter() {
        return leaf().getNotAfter().toInstant();
    }

    /** "CN=..., serial 1a2b, valid until 2027-01-01T00:00:00Z", for the log. */
    public String describe() {
        return leaf().getSubjectX500Principal().getName() + ", serial " + leaf().getSerialNumber().toString(16)
                + ", valid until " + notAfter();
    }

    private static boolean matches(X509Certificate cert, PrivateKey key) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm(); // EdDSA: Ed25519 and Ed448 sign under their own names
        };
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(PROBE);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(PROBE);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            // A key of another algorithm than the certificate's public key, for one.
            return false;
        }
    }
}
