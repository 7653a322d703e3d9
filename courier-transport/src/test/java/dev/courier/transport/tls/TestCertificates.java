package dev.courier.transport.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made in a test with BouncyCastle's bcpkix: a CA, and server or client certificates it signs, for the
 * names and validity a test needs, written as the PEM files Courier reads. EC P-256 keys, quick to make. Serial
 * numbers are unique within the JVM, so a test can tell two certificates apart by the serial a peer presents.
 * In the transport test-jar for every module's TLS tests. Not thread-safe per instance.
 */
public final class TestCertificates {
    private static final AtomicLong SERIALS = new AtomicLong(System.nanoTime() & 0xffff_ffffL);
    private static final Duration DAY = Duration.ofDays(1);

    private TestCertificates() {
    }

    /** A self-signed CA valid from yesterday for a year. */
    public static Ca newCa(String name) {
        KeyPair keys = keyPair();
        X500Name subject = new X500Name("CN=" + name);
        Instant now = Instant.now();
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject, nextSerial(),
                    Date.from(now.minus(DAY)), Date.from(now.plus(Duration.ofDays(365))), subject, keys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            return new Ca(sign(b, keys.getPrivate()), keys.getPrivate());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A CA and what it signs. */
    public record Ca(X509Certificate certificate, PrivateKey key) {
        /** A server certificate for 127.0.0.1 and localhost, valid from yesterday for 90 days. */
        public Issued server() {
            Instant now = Instant.now();
            return issue("courier test server", List.of("127.0.0.1", "localhost"), now.minus(DAY),
                    now.plus(Duration.ofDays(90)), false);
        }

        /** A client certificate, valid from yesterday for 90 days. */
        public Issued client(String name) {
            Instant now = Instant.now();
            return issue(name, List.of(), now.minus(DAY), now.plus(Duration.ofDays(90)), true);
        }

        /**
         * A leaf certificate.
         *
         * @param names   subject alternative names: IP literals become IP entries, anything else DNS entries
         * @param client  for a client (extended key usage clientAuth) rather than a server (serverAuth)
         */
        public Issued issue(String commonName, List<String> names, Instant notBefore, Instant notAfter,
                            boolean client) {
            KeyPair keys = keyPair();
            try {
                X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate, nextSerial(),
                        Date.from(notBefore), Date.from(notAfter), new X500Name("CN=" + commonName),
                        keys.getPublic());
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                b.addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(client ? KeyPurposeId.id_kp_clientAuth : KeyPurposeId.id_kp_serverAuth));
                if (!names.isEmpty()) {
                    List<GeneralName> sans = new ArrayList<>();
                    for (String n : names) {
                        sans.add(isIp(n) ? new GeneralName(GeneralName.iPAddress, n)
                                : new GeneralName(GeneralName.dNSName, n));
                    }
                    b.addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(sans.toArray(GeneralName[]::new)));
                }
                return new Issued(sign(b, key), keys.getPrivate(), certificate);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Writes the CA certificate as PEM to {@code file}; returns it. */
        public Path writeCertificate(Path file) {
            return writePem(file, "CERTIFICATE", encoded(certificate));
        }
    }

    /** A leaf certificate, its key, and the CA that signed it. */
    public record Issued(X509Certificate certificate, PrivateKey key, X509Certificate issuer) {
        public BigInteger serial() {
            return certificate.getSerialNumber();
        }

        /** Writes the chain (leaf, then the CA) as PEM to {@code file}; returns it. */
        public Path writeChain(Path file) {
            String pem = pem("CERTIFICATE", encoded(certificate)) + pem("CERTIFICATE", encoded(issuer));
            return write(file, pem);
        }

        /** Writes the key as unencrypted PKCS#8 PEM to {@code file}; returns it. */
        public Path writeKey(Path file) {
            return writePem(file, "PRIVATE KEY", key.getEncoded());
        }

        public TlsIdentity identity() {
            return new TlsIdentity(List.of(certificate, issuer), key);
        }
    }

    private static boolean isIp(String name) {
        return name.chars().allMatch(c -> Character.isDigit(c) || c == '.') || name.contains(":");
    }

    private static BigInteger nextSerial() {
        return BigInteger.valueOf(SERIALS.incrementAndGet());
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey issuerKey) {
        try {
            ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey);
            return new JcaX509CertificateConverter().getCertificate(b.build(signer));
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] encoded(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path writePem(Path file, String type, byte[] der) {
        return write(file, pem(type, der));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static Path write(Path file, String text) {
        try {
            return Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
